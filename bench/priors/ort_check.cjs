// Check shipped score graphs with onnxruntime-node: parity fixture + throughput.
//   node bench/priors/ort_check.cjs [resources/models/piano.json ...]   (default: all cards in resources/models + tiny)
// Prints per model: max |ORT - PyTorch| per output relative to the row maximum, and logp+grad samples/s
// for B=8 x T=4000 with 1 and 2 intra-op threads.
const fs = require('fs');
const path = require('path');
const ort = require('onnxruntime-node');

async function check(cardPath) {
  const card = JSON.parse(fs.readFileSync(cardPath, 'utf8'));
  const dir = path.dirname(cardPath);
  const par = JSON.parse(fs.readFileSync(path.join(dir, card.parity), 'utf8'));
  const res = { name: card.name, receptiveField: card.receptiveField };
  for (const threads of [1, 2]) {
    const s = await ort.InferenceSession.create(path.join(dir, card.onnx), { intraOpNumThreads: threads, interOpNumThreads: 1, graphOptimizationLevel: 'all' });
    if (threads === 2) {
      const B = par.x.length, T = par.x[0].length;
      const x = new Float32Array(B * T); par.x.forEach((r, i) => x.set(r, i * T));
      const out = await s.run({ x: new ort.Tensor('float32', x, [B, T]), sigma: new ort.Tensor('float32', Float32Array.from(par.sigma), [B]) });
      let worst = 0;
      for (const k of ['logp', 'grad']) for (let b = 0; b < B; b++) {
        let d = 0, m = 0;
        for (let t = 0; t < T; t++) { d = Math.max(d, Math.abs(out[k].data[b * T + t] - par[k][b][t])); m = Math.max(m, Math.abs(par[k][b][t])); }
        worst = Math.max(worst, d / Math.max(1, m));
      }
      res.parityWorstRel = worst;
    }
    const Bb = 8, Tt = 4000; const xx = new Float32Array(Bb * Tt); for (let i = 0; i < xx.length; i++) xx[i] = 0.1 * Math.sin(i * 0.01) + 0.01 * (Math.random() - 0.5);
    const f = { x: new ort.Tensor('float32', xx, [Bb, Tt]), sigma: new ort.Tensor('float32', new Float32Array(Bb).fill(0.01), [Bb]) };
    await s.run(f); const n = 3; const t0 = process.hrtime.bigint(); for (let i = 0; i < n; i++) await s.run(f);
    res[`ortSamplesPerSec${threads}t`] = Math.round(n * Bb * Tt / (Number(process.hrtime.bigint() - t0) / 1e9));
  }
  return res;
}

(async () => {
  let cards = process.argv.slice(2);
  if (!cards.length) {
    const d = path.join(__dirname, '..', '..', 'resources', 'models');
    cards = fs.existsSync(d) ? fs.readdirSync(d).filter(f => f.endsWith('.json') && !f.endsWith('.parity.json')).map(f => path.join(d, f)) : [];
    cards.push(path.join(__dirname, '..', '..', 'test', 'fixtures', 'models', 'tiny.json'));
  }
  for (const c of cards) console.log(JSON.stringify(await check(c)));
})();
