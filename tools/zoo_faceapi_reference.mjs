// Reference outputs of face-api.js's FaceExpressionNet, computed by face-api.js itself (TF.js CPU backend), for tests/test_zoo.py.
// usage: node tools/zoo_faceapi_reference.mjs MANIFEST.json INPUT.bin N,H,W,C OUTPUT.json   (INPUT.bin: float32 NHWC, 0..255 RGB)
// Needs, in the folder given by FACEAPI (tools/zoo_reference.py prepares it): face-api.esm-nobundle.mjs, the package's
// dist/face-api.esm-nobundle.js with its three tfjs `import` lines replaced by a CommonJS require of @tensorflow/tfjs
// (node cannot resolve tfjs's extension-less ESM paths), and node_modules/@tensorflow/tfjs.
import fs from 'fs';
import { createRequire } from 'module';
const tf = createRequire(process.env.FACEAPI + '/')('@tensorflow/tfjs');
const faceapi = await import(process.env.FACEAPI + '/face-api.esm-nobundle.mjs');
const [manifest, input, shape, out] = process.argv.slice(2);
await tf.setBackend('cpu');
const man = JSON.parse(fs.readFileSync(manifest));
const dir = manifest.substring(0, manifest.lastIndexOf('/') + 1);
const specs = [], bufs = [];
for (const g of man) { specs.push(...g.weights); for (const p of g.paths) bufs.push(fs.readFileSync(dir + p)); }
const all = Buffer.concat(bufs);
const weightMap = tf.io.decodeWeights(all.buffer.slice(all.byteOffset, all.byteOffset + all.byteLength), specs);
const net = faceapi.nets.faceExpressionNet;
net.loadFromWeightMap(weightMap);
const raw = fs.readFileSync(input);
const x = tf.tensor(new Float32Array(raw.buffer, raw.byteOffset, raw.byteLength / 4), shape.split(',').map(Number));
const res = [];
for (const t of tf.unstack(x)) {   // one face at a time, as face-api feeds them
  const ni = await faceapi.toNetInput(t.expandDims(0).squeeze([0]));
  const y = net.forwardInput(ni);
  res.push(Array.from(await y.data()));
}
fs.writeFileSync(out, JSON.stringify(res));
