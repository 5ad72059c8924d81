// The training page: the editor's code defines the data, the model and step(k); the page calls step(k) for
// k = 0 .. STEPS-1, plotting the loss as it goes and the decision boundary every ten steps, in SVG (no matplotlib).
"use strict";
const $ = id => document.getElementById(id);
const SVG = "http://www.w3.org/2000/svg";
const state = { ready: false, done: false, losses: [], accuracies: [], error: null };
window.training = state;  // what the browser test reads
let trainer = null, stopping = false;
$("code").value = JSON.parse($("training-data").textContent);

function svgElement(tag, attributes, text) {
  const e = document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attributes)) e.setAttribute(k, v);
  if (text !== undefined) e.textContent = text;
  return e;
}

function drawLoss(steps) {
  const svg = $("loss"), W = 440, H = 280, left = 48, right = 40, top = 12, bottom = 34;
  svg.replaceChildren();
  const losses = state.losses, top_ = Math.max(...losses, 1e-12);
  const x = k => left + (W - left - right) * k / Math.max(steps - 1, 1);
  const y = v => top + (H - top - bottom) * (1 - v / top_);
  const ya = a => top + (H - top - bottom) * (1 - a);
  svg.append(svgElement("line", { x1: left, y1: H - bottom, x2: W - right, y2: H - bottom, stroke: "#444" }),
             svgElement("line", { x1: left, y1: top, x2: left, y2: H - bottom, stroke: "#444" }),
             svgElement("text", { x: left - 6, y: top + 10, "text-anchor": "end", "font-size": 11 }, top_.toFixed(2)),
             svgElement("text", { x: left - 6, y: H - bottom, "text-anchor": "end", "font-size": 11 }, "0"),
             svgElement("text", { x: W - right + 4, y: top + 10, "font-size": 11 }, "100%"),
             svgElement("text", { x: (W + left - right) / 2, y: H - 8, "text-anchor": "middle", "font-size": 12 }, "step"),
             svgElement("text", { x: W - right, y: H - bottom + 14, "text-anchor": "end", "font-size": 11 }, String(steps)));
  const line = (values, scale, style) => svg.append(svgElement("polyline", {
    points: values.map((v, k) => `${x(k).toFixed(1)},${scale(v).toFixed(1)}`).join(" "), fill: "none", ...style }));
  line(state.accuracies, ya, { stroke: "#2ca02c", "stroke-width": 1.5, "stroke-dasharray": "4 3", class: "accuracy" });
  line(losses, y, { stroke: "#d62728", "stroke-width": 2, class: "loss" });
}

function drawBoundary(points, labels, answer) {
  const svg = $("boundary"), S = 300;
  svg.replaceChildren();
  const [x0, x1, y0, y1] = answer.box, n = answer.grid.length;
  const px = v => S * (v - x0) / (x1 - x0), py = v => S * (1 - (v - y0) / (y1 - y0));
  answer.grid.forEach((row, j) => row.forEach((positive, i) => svg.append(svgElement("rect", {
    x: (S * i / n).toFixed(2), y: (S * (n - 1 - j) / n).toFixed(2), width: (S / n + 0.5).toFixed(2),
    height: (S / n + 0.5).toFixed(2), fill: positive ? "#f9d4d4" : "#d4e3f9" }))));
  points.forEach((p, k) => svg.append(svgElement("circle", {
    cx: px(p[0]).toFixed(1), cy: py(p[1]).toFixed(1), r: 4, stroke: "#222", "stroke-width": 0.8,
    fill: labels[k] > 0 ? "#d62728" : "#1f77b4" })));
}

function fail(message) {
  state.error = message;
  $("error").textContent = message;
}

async function train() {
  $("error").textContent = "";
  state.done = false; state.error = null; state.losses = []; state.accuracies = [];
  const start = python(() => trainer.start($("code").value));
  $("printed").textContent = start.printed || "";
  if (start.error) return fail(start.error);
  $("train").disabled = true; $("stop").disabled = false; stopping = false;
  const show = answer => {  // what the learner's functions printed goes below the editor, as it comes
    if (answer.printed) $("printed").textContent += answer.printed;
    if (answer.error) fail(answer.error);
    return !answer.error;
  };
  const boundary = () => {
    const answer = python(() => trainer.boundary(30));
    if (show(answer)) drawBoundary(start.X, start.y, answer);
    return !answer.error;
  };
  try {
    if (!boundary()) return;
    for (let k = 0; k < start.steps && !stopping; k++) {
      const r = python(() => trainer.step(k));
      if (!show(r)) break;
      state.losses.push(r.loss); state.accuracies.push(r.accuracy);
      drawLoss(start.steps);
      $("progress").textContent = `step ${k + 1} of ${start.steps}: loss ${r.loss.toFixed(4)}, ` +
                                  `accuracy ${(100 * r.accuracy).toFixed(0)}%`;
      if ((k + 1) % 10 === 0 && !boundary()) break;
      await new Promise(resolve => setTimeout(resolve, 0));  // let the page paint between steps
    }
  } finally {  // whatever happened, the buttons are usable again
    $("train").disabled = false; $("stop").disabled = true;
    state.done = true;
  }
}

$("train").onclick = train;
$("stop").onclick = () => { stopping = true; };
(async () => {
  try {
    const pyodide = await startPython();
    pyodide.runPython("from viz.playground.session import Training\ntrainer = Training()");
    trainer = pyodide.globals.get("trainer");
    $("ready").textContent = `Python ready in ${(performance.now() / 1000).toFixed(1)} s`;
    $("train").disabled = false;
    state.ready = true;
    showVersions(pyodide);
  } catch (e) {
    $("ready").textContent = "not started";
    fail("The page could not start: " + e.message);
  }
})();
