/** The value after `--name` on this script's command line, or undefined (the bench scripts' one way to read options). */
export function opt(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : undefined;
}
