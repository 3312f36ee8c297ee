// Reference outputs of the TF.js graph models, from TF.js itself (pure-JS CPU backend), for tests/test_zoo.py.
// usage: node tools/zoo_reference.js MODEL.json INPUT.bin N,H,W,C OUTPUT.json
// INPUT.bin: float32 NHWC little-endian. Writes {output name: [[...], ...]} for every output of the graph.
// Needs `npm install @tensorflow/tfjs@4` in a scratch folder on NODE_PATH (see tools/zoo_reference.py).
const fs = require('fs'), path = require('path');
const tf = require('@tensorflow/tfjs');
const [json, input, shape, out] = process.argv.slice(2);
const handler = {   // an IOHandler that reads the model JSON and its weight shards from disk
  load: async () => {
    const spec = JSON.parse(fs.readFileSync(json));
    const specs = [], bufs = [];
    for (const g of spec.weightsManifest) {
      specs.push(...g.weights);
      for (const p of g.paths) bufs.push(fs.readFileSync(path.join(path.dirname(json), p)));
    }
    const all = Buffer.concat(bufs);
    return { modelTopology: spec.modelTopology, weightSpecs: specs, format: spec.format,
             weightData: all.buffer.slice(all.byteOffset, all.byteOffset + all.byteLength),
             userDefinedMetadata: spec.userDefinedMetadata, signature: spec.signature };
  } };
(async () => {
  await tf.setBackend('cpu');
  const model = await tf.loadGraphModel(handler);
  const raw = fs.readFileSync(input);
  const x = tf.tensor(new Float32Array(raw.buffer, raw.byteOffset, raw.byteLength / 4), shape.split(',').map(Number));
  const names = model.outputs.map(o => o.name);
  let ys = model.execute(x, names); if (!Array.isArray(ys)) ys = [ys];
  const res = {};
  for (let i = 0; i < names.length; i++) res[names[i]] = await ys[i].array();
  fs.writeFileSync(out, JSON.stringify(res));
})();
