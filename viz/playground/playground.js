// The playground: the editor's code runs in the page's Python (viz.playground.session); the drawing is Graphviz's
// SVG of chainrule's own dot source; the stepping is the explorer's (explorer.js). Everything the learner wrote
// (labels, messages, printed text) enters the page as text, never as markup.
"use strict";
const $ = id => document.getElementById(id);
const EXAMPLES = JSON.parse($("examples-data").textContent);
const state = { ready: false, runs: 0, last: null, readySeconds: null, firstDrawingSeconds: null };
window.playground = state;  // what the browser test reads
let session = null, graphviz = null;

for (const e of EXAMPLES) {
  const option = document.createElement("option");
  option.value = e.name;
  option.textContent = e.title;
  $("examples").append(option);
}

// The learner's edits are kept per example for the tab's life (a reload keeps them); "reset" brings the example back.
const edits = JSON.parse(sessionStorage.getItem("chainrule-edits") || "{}");
function load(name) {
  const example = EXAMPLES.find(e => e.name === name) || EXAMPLES[0];
  $("examples").value = example.name;
  $("code").value = edits[example.name] ?? example.code;
}
function keep() {
  const example = EXAMPLES.find(e => e.name === $("examples").value);
  if ($("code").value === example.code) delete edits[example.name]; else edits[example.name] = $("code").value;
  sessionStorage.setItem("chainrule-edits", JSON.stringify(edits));
}
function hashName() {
  try { return decodeURIComponent(location.hash.slice(1)); } catch (e) { return ""; }  // a malformed address
}

function element(tag, text, className) {
  const e = document.createElement(tag);
  e.textContent = text;
  if (className) e.className = className;
  return e;
}

function showLeaves(leaves) {
  const body = $("leaves").tBodies[0];
  body.replaceChildren();
  for (const leaf of leaves) {
    const row = document.createElement("tr");
    row.dataset.id = leaf.id;
    row.append(element("td", leaf.name || "(no label)"), element("td", leaf.id), element("td", leaf.kind),
               element("td", leaf.data, "number data"), element("td", leaf.grad, "number grad"));
    body.append(row);
  }
}

function inspect(id) {
  const answer = python(() => session.inspect(id));
  const box = $("inspector");
  box.replaceChildren();
  if (answer.error) { box.append(element("pre", answer.error)); return; }
  box.append(element("h2", `print(${answer.name}._backward)`), element("pre", answer.backward, "backward"),
             element("h2", `explain(out, ${answer.name})`), element("pre", answer.explain, "explain"));
}

function stale(message) {  // the last drawing stays, greyed: it is not of this code
  $("error").textContent = message;
  $("graph").style.opacity = 0.3;
  $("panel").textContent = $("status").textContent = "";
  for (const id of ["reset", "back", "next", "end"]) $(id).disabled = true;
  showLeaves([]);
  state.last = "error";
}

function run() {
  if (!session) return;
  const answer = python(() => session.run($("code").value, $("local").checked));
  state.runs++;
  $("error").textContent = "";
  $("printed").textContent = answer.printed || "";
  $("note").textContent = answer.note || "";
  $("inspector").replaceChildren(element("h2", "Click a node to see its _backward and the chain rule for it"));
  if (answer.error) return stale(answer.error);
  let svg;
  try {
    svg = graphviz.renderSVGElement(answer.dot);
  } catch (e) {
    return stale("Graphviz could not draw this graph: " + e.message);
  }
  $("graph").style.opacity = 1;
  $("graph").replaceChildren(svg);
  showLeaves(answer.leaves);
  for (const id of ["reset", "back", "next", "end"]) $(id).disabled = !answer.explore;
  if (answer.explore) {
    startExplorer(answer.explore, inspect, true);  // at the end of the pass: the drawing shows the final grads
  } else {
    $("status").textContent = "";
    $("panel").textContent = answer.note;
  }
  state.last = "drawn";
  if (state.firstDrawingSeconds === null) state.firstDrawingSeconds = performance.now() / 1000;
}

load(hashName());
$("examples").onchange = () => { history.replaceState(null, "", "#" + $("examples").value); load($("examples").value); run(); };
window.onhashchange = () => { load(hashName()); run(); };
$("reset-example").onclick = () => {
  delete edits[$("examples").value];
  sessionStorage.setItem("chainrule-edits", JSON.stringify(edits));
  load($("examples").value);
  run();
};
$("run").onclick = run;
$("local").onchange = run;
$("code").oninput = keep;
$("code").onkeydown = e => {
  if (e.key === "Enter" && (e.ctrlKey || e.metaKey)) { e.preventDefault(); run(); }
  if (e.key === "Tab" && !e.shiftKey) {  // a tab key indents, as in any code editor
    e.preventDefault();
    const t = e.target, at = t.selectionStart;
    t.setRangeText("    ", at, t.selectionEnd, "end");
    keep();
  }
};

(async () => {
  try {
    const [pyodide, viz] = await Promise.all([startPython(), Viz.instance()]);
    graphviz = viz;
    pyodide.runPython("from viz.playground.session import Session\nsession = Session()");
    session = pyodide.globals.get("session");
    state.readySeconds = performance.now() / 1000;
    $("ready").textContent = `Python ready in ${state.readySeconds.toFixed(1)} s`;
    $("run").disabled = false;
    state.ready = true;
    showVersions(pyodide, true);
    run();
  } catch (e) {
    $("ready").textContent = "not started";
    $("error").textContent = "The playground could not start: " + e.message;
    $("graph").replaceChildren();
  }
})();
