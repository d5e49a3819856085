// The worker thread that runs tfjs-tflite for bench.mjs (its own globals, its own tfjs-core 4.9.0). The timing loop
// runs here too, so no message crosses threads while a model is timed.
import { parentPort } from "node:worker_threads";
import { measure } from "./timing.mjs";
import { init, load } from "./tflite_node.mjs";

const models = new Map();

parentPort.on("message", async (msg) => {
  try {
    let result;
    if (msg.cmd === "init") result = await init();
    else if (msg.cmd === "load") {
      const { run, dispose, ...info } = await load(msg.bytes, msg.input);
      models.set(msg.id, { run, dispose });
      result = info;
    } else if (msg.cmd === "measure") result = await measure(models.get(msg.id).run, msg.options);
    else if (msg.cmd === "dispose") { models.get(msg.id)?.dispose(); models.delete(msg.id); }
    else throw new Error(`unknown command ${msg.cmd}`);
    parentPort.postMessage({ seq: msg.seq, ok: true, result });
  } catch (e) {
    parentPort.postMessage({ seq: msg.seq, ok: false, error: String(e?.stack ?? e) });
  }
});
