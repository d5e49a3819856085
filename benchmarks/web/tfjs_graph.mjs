// A float model as TF.js ops: the graph build_models.py wrote from the .tflite (NHWC, weights already in TF.js
// layouts), run op by op on whichever backend is active (here @tensorflow/tfjs-backend-wasm). Convolutions and
// dense layers use TF.js's fused ops (bias + activation in one kernel), as tfjs-converter's output would.

const ACTIVATION = { relu: "relu", relu6: "relu6" };

function activate(tf, x, activation) {
  if (!activation) return x;
  if (activation === "relu") return tf.relu(x);
  if (activation === "relu6") return tf.relu6(x);
  throw new Error(`activation ${activation} is not mapped`);
}

/** Build the graph: weights become tensors once; run(xData) returns the first output's values (a fresh array). */
export function buildGraph(tf, graph, weightBytes) {
  const all = new Float32Array(weightBytes.buffer.slice(weightBytes.byteOffset,
    weightBytes.byteOffset + weightBytes.byteLength));
  const kept = [];
  const w = (ref) => {
    if (!ref) return undefined;
    const size = ref.shape.reduce((a, b) => a * b, 1);
    const t = tf.tensor(all.subarray(ref.offset / 4, ref.offset / 4 + size), ref.shape, "float32");
    kept.push(t);
    return t;
  };
  const steps = graph.ops.map((op) => {
    switch (op.op) {
      case "conv2d": {
        const filter = w(op.filter), bias = w(op.bias);
        const activation = op.activation ? ACTIVATION[op.activation] : "linear";
        return (v) => tf.fused.conv2d({ x: v[op.x], filter, bias, strides: op.strides, pad: op.pad,
          dataFormat: "NHWC", dilations: op.dilations, activation });
      }
      case "depthwiseConv2d": {
        const filter = w(op.filter), bias = w(op.bias);
        const activation = op.activation ? ACTIVATION[op.activation] : "linear";
        return (v) => tf.fused.depthwiseConv2d({ x: v[op.x], filter, bias, strides: op.strides, pad: op.pad,
          dataFormat: "NHWC", dilations: op.dilations, activation });
      }
      case "dense": {
        const b = w(op.weights), bias = w(op.bias);
        const activation = op.activation ? ACTIVATION[op.activation] : "linear";
        return (v) => tf.fused.matMul({ a: v[op.x], b, bias, activation });
      }
      case "avgPool":
        return (v) => activate(tf, tf.avgPool(v[op.x], op.size, op.strides, op.pad), op.activation);
      case "maxPool":
        return (v) => activate(tf, tf.maxPool(v[op.x], op.size, op.strides, op.pad), op.activation);
      case "add":
        return (v) => activate(tf, tf.add(v[op.a], v[op.b]), op.activation);
      case "reshape":
        return (v) => tf.reshape(v[op.x], op.shape);
      case "softmax":
        return (v) => tf.softmax(v[op.x]);
      default:
        throw new Error(`op ${op.op} is not mapped`);
    }
  });
  const names = graph.ops.map((op) => op.y);
  const [inputName] = graph.inputs, [outputName] = graph.outputs, [inputShape] = graph.input_shapes;
  return {
    run(xData) {
      const y = tf.tidy(() => {
        const values = { [inputName]: tf.tensor(xData, inputShape, "float32") };
        for (let i = 0; i < steps.length; i++) values[names[i]] = steps[i](values);
        return values[outputName];
      });
      const data = y.dataSync().slice();
      y.dispose();
      return data;
    },
    dispose() {
      for (const t of kept) t.dispose();
      kept.length = 0;
    },
  };
}
