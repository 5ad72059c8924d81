// The backward pass, node by node, over Graphviz's SVG of a chainrule graph. One script for two pages:
// viz.explorer inlines it into its self-contained page, and the browser playground loads it beside its editor.
// Both pages have the same elements (#graph holding the SVG, #panel, #status, #tip and the step and zoom buttons);
// startExplorer binds them afresh each time (handlers are assigned, not added), so the playground can call it after
// every run. DATA is viz.explorer.explorer_data's: {root, nodes: {id: {label, op, kind, data, locals}}, steps}.
"use strict";

function fmt(x) {  // as the drawing writes numbers, Python's "{:.4g}", ties to even: a stepped grad reads as drawn
  if (x === 0) return "0";
  if (!Number.isFinite(x)) return String(x);
  const [mantissa, exponent] = Math.abs(x).toExponential(99).split("e");  // exact digits: a tie shows as 5 then zeros
  const digits = mantissa.replace(".", "");
  let head = digits.slice(0, 4), e = Number(exponent);
  const rest = digits.slice(4);
  if (rest[0] > "5" || (rest[0] === "5" && (/[1-9]/.test(rest.slice(1)) || Number(head[3]) % 2 === 1))) {
    head = String(Number(head) + 1);
    if (head.length > 4) { head = head.slice(0, 4); e += 1; }  // 9999.5 -> 1.000e+04
  }
  const sign = x < 0 ? "-" : "";
  if (e < -4 || e >= 4) {
    const m = (head[0] + "." + head.slice(1)).replace(/\.?0+$/, "");
    return sign + m + "e" + (e < 0 ? "-" : "+") + String(Math.abs(e)).padStart(2, "0");
  }
  const fixed = e >= 0 ? head.slice(0, e + 1) + "." + head.slice(e + 1) : "0." + "0".repeat(-e - 1) + head;
  return sign + fixed.replace(/0+$/, "").replace(/\.$/, "");
}

function esc(s) {  // every label is user data: escape it wherever it enters HTML
  return String(s).replace(/[&<>"']/g, c => ({"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;"}[c]));
}

const READABLE = 0.6;  // screen pixels per drawing unit below which a fitted drawing's 11-point text is unreadable

function startExplorer(DATA, onSelect, atEnd) {  // onSelect(id): a node was clicked; atEnd: start after the pass
  const $ = id => document.getElementById(id);
  const nodes = {};  // id -> {group, gradText}
  for (const g of document.querySelectorAll("#graph g.node")) {
    const id = g.querySelector("title").textContent;
    const gradText = [...g.querySelectorAll("text")].find(t => t.textContent.startsWith("grad "));
    nodes[id] = { group: g, gradText: gradText };
  }
  const edges = {};  // "parent->child_op" -> group
  for (const g of document.querySelectorAll("#graph g.edge")) {
    edges[g.querySelector("title").textContent.replace("&#45;&gt;", "->")] = g;
  }
  let position = atEnd ? DATA.steps.length : 0;  // steps done
  let follow = () => {};  // keeps the current node in view (set once the drawing is placed)
  const name = id => DATA.nodes[id].label || id;

  function gradsAfter(k) {
    const grads = {};
    for (const id in DATA.nodes) grads[id] = 0;
    grads[DATA.root] = 1;
    for (let i = 0; i < k; i++) for (const [parent, amount] of DATA.steps[i].sent) grads[parent] += amount;
    return grads;
  }

  function render(moved) {  // moved: by the learner, so the current node is kept in sight
    const grads = gradsAfter(position);
    const step = position > 0 ? DATA.steps[position - 1] : null;
    const touched = new Set(step ? step.sent.map(s => s[0]) : []);
    for (const id in nodes) {
      const n = nodes[id];
      n.group.classList.toggle("current", step !== null && id === step.node);
      n.group.classList.toggle("receiving", touched.has(id));
      if (n.gradText && id in grads) {
        n.gradText.textContent = "grad " + fmt(grads[id]);
        n.gradText.setAttribute("data-grad", String(grads[id]));
        n.gradText.classList.toggle("changed", touched.has(id));
      }
    }
    if (step && moved) follow(step.node);
    for (const key in edges) edges[key].classList.remove("carrying");
    for (const [parent] of step ? step.sent : []) {
      const e = edges[parent + "->" + step.node + "_op"];
      if (e) e.classList.add("carrying");
    }
    $("status").textContent =
      `step ${position} of ${DATA.steps.length}` + (position === DATA.steps.length ? " (backward pass done)" : "");
    const panel = $("panel");
    if (!step) {
      panel.innerHTML = `Before backward: d${esc(name(DATA.root))}/d${esc(name(DATA.root))} = 1, every other grad 0. ` +
                        `Press <b>step</b> to process nodes from the output back to the inputs.`;
      return;
    }
    const node = DATA.nodes[step.node];
    let text = `<b>${esc(name(step.node))}</b> (${esc(node.op)}) has adjoint <b>${fmt(step.adjoint)}</b> ` +
               `and sends adjoint &times; local derivative to each input:`;
    const running = gradsAfter(position - 1);  // a parent sent to twice (x*x) grows twice, line by line
    step.sent.forEach(([parent, amount], k) => {
      const local = node.locals[k];
      running[parent] += amount;
      text += `<div class="sent">&rarr; ${esc(name(parent))}: ${fmt(step.adjoint)} &times; ${esc(local[1])} ` +
              `(= ${fmt(local[2])}) = <b>${fmt(amount)}</b>; its grad is now ${fmt(running[parent])}</div>`;
    });
    panel.innerHTML = text;
  }

  $("next").onclick = () => { if (position < DATA.steps.length) { position++; render(true); } };
  $("back").onclick = () => { if (position > 0) { position--; render(true); } };
  $("reset").onclick = () => { position = 0; render(true); };
  $("end").onclick = () => { position = DATA.steps.length; render(true); };
  document.onkeydown = e => {
    if (e.target.closest && e.target.closest("textarea, input, select")) return;  // typing code is not stepping
    if (e.key === "ArrowRight") $("next").click();
    if (e.key === "ArrowLeft") $("back").click();
  };

  const tip = $("tip");
  for (const id in nodes) {
    const info = DATA.nodes[id];
    if (!info) continue;
    nodes[id].group.onmousemove = e => {
      const grads = gradsAfter(position);
      let t = `${info.label || id}   ${info.op ? "op: " + info.op : info.kind}\ndata: ${fmt(info.data)}\ngrad: ${fmt(grads[id])}`;
      for (const [parent, formula, value] of info.locals) t += `\nd/d${name(parent)}: ${formula} = ${fmt(value)}`;
      tip.textContent = t;
      tip.style.display = "block";  // beside the pointer, on whichever side has room
      const left = e.clientX + 14 + tip.offsetWidth > window.innerWidth ? e.clientX - 14 - tip.offsetWidth : e.clientX + 14;
      const top = e.clientY + 14 + tip.offsetHeight > window.innerHeight ? e.clientY - 14 - tip.offsetHeight : e.clientY + 14;
      tip.style.left = Math.max(0, left) + "px";
      tip.style.top = Math.max(0, top) + "px";
    };
    nodes[id].group.onmouseleave = () => { tip.style.display = "none"; };
    if (onSelect) {
      nodes[id].group.style.cursor = "pointer";
      nodes[id].group.onclick = () => {
        for (const other in nodes) nodes[other].group.classList.toggle("selected", other === id);
        onSelect(id);
      };
    }
  }
  // Fit the drawing to its pane; the wheel zooms about the pointer, dragging pans.
  const svg = document.querySelector("#graph svg");
  svg.removeAttribute("width");
  svg.removeAttribute("height");
  const whole = svg.getAttribute("viewBox").split(/[ ,]+/).map(Number);
  let view = whole.slice();
  const show = () => svg.setAttribute("viewBox", view.join(" "));
  show();
  function centre(id) {  // a node's centre in drawing units, read off the screen through the view ("meet": centred)
    const box = nodes[id].group.getBoundingClientRect(), r = svg.getBoundingClientRect();
    const s = Math.min(r.width / view[2], r.height / view[3]);
    return [view[0] + (box.left + box.width / 2 - r.left - (r.width - view[2] * s) / 2) / s,
            view[1] + (box.top + box.height / 2 - r.top - (r.height - view[3] * s) / 2) / s];
  }
  function lookAt(id) {  // the same scale, the node in the middle
    const [x, y] = centre(id);
    view = [x - view[2] / 2, y - view[3] / 2, view[2], view[3]];
    show();
  }
  function visible(id) {
    const box = nodes[id].group.getBoundingClientRect(), r = svg.getBoundingClientRect();
    return box.left >= r.left && box.right <= r.right && box.top >= r.top && box.bottom <= r.bottom;
  }
  // A long graph fitted whole is too small to read: then start at a readable scale, the output where it sits in the
  // whole drawing (the right end, left to right), where the backward pass starts; fit still shows it all. Stepping
  // keeps the current node in sight; a resized window places the drawing again, unless the learner has moved it.
  let placed = true;
  function place() {
    const pane = $("graph");
    view = whole.slice();
    show();
    const fitted = Math.min(pane.clientWidth / whole[2], pane.clientHeight / whole[3]);
    if (pane.clientWidth === 0 || fitted >= READABLE || !nodes[DATA.root]) return;
    const [x, y] = centre(DATA.root);
    const w = pane.clientWidth / READABLE, h = pane.clientHeight / READABLE;
    // Along a side that fits at this scale, the whole drawing centred; along one that does not, the output where
    // it sits in the whole (the right end of a left-to-right drawing).
    const fx = Math.min(0.9, Math.max(0.1, (x - whole[0]) / whole[2]));
    const fy = Math.min(0.9, Math.max(0.1, (y - whole[1]) / whole[3]));
    view = [whole[2] <= w ? whole[0] + (whole[2] - w) / 2 : x - fx * w,
            whole[3] <= h ? whole[1] + (whole[3] - h) / 2 : y - fy * h, w, h];
    show();
  }
  place();
  window.onresize = () => { if (placed) place(); };
  follow = id => { if (nodes[id] && !visible(id)) lookAt(id); };
  function zoom(factor, cx, cy) {  // cx, cy: the point that stays put, as fractions of the view
    placed = false;
    const [x, y, w, h] = view;
    view = [x + w * cx * (1 - factor), y + h * cy * (1 - factor), w * factor, h * factor];
    show();
  }
  $("fit").onclick = () => { view = whole.slice(); show(); placed = false; };
  $("zoom-in").onclick = () => zoom(0.8, 0.5, 0.5);
  $("zoom-out").onclick = () => zoom(1.25, 0.5, 0.5);
  const pane = $("graph");
  pane.onwheel = e => {
    e.preventDefault();
    const r = svg.getBoundingClientRect();
    zoom(e.deltaY < 0 ? 0.85 : 1 / 0.85, (e.clientX - r.left) / r.width, (e.clientY - r.top) / r.height);
  };
  let drag = null;
  pane.onmousedown = e => { drag = [e.clientX, e.clientY, view.slice()]; placed = false; pane.classList.add("panning"); };
  window.onmouseup = () => { drag = null; pane.classList.remove("panning"); };
  window.onmousemove = e => {
    if (!drag) return;
    const r = svg.getBoundingClientRect();
    const scale = Math.max(view[2] / r.width, view[3] / r.height);  // drawing units per pixel, as "meet" fits
    view = [drag[2][0] - (e.clientX - drag[0]) * scale, drag[2][1] - (e.clientY - drag[1]) * scale, view[2], view[3]];
    show();
  };
  render();
}
