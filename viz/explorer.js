// The backward pass, node by node, over Graphviz's SVG of a chainrule graph. One script for two pages:
// viz.explorer inlines it into its self-contained page, and the browser playground loads it beside its editor.
// Both pages have the same elements (#graph holding the SVG, #panel, #status, #tip and the step and zoom buttons);
// startExplorer binds them afresh each time (handlers are assigned, not added), so the playground can call it after
// every run. DATA is viz.explorer.explorer_data's: {root, nodes: {id: {label, op, kind, data, locals}}, steps}.
"use strict";

function fmt(x) {  // as the drawing writes numbers (Python's "{:.4g}"), so a stepped grad reads as a drawn one
  if (x === 0) return "0";
  const [mantissa, exponent] = x.toExponential(3).split("e");
  const e = Number(exponent);
  if (e >= -4 && e < 4) return String(Number(x.toPrecision(4)));
  return mantissa.replace(/\.?0+$/, "") + "e" + (e < 0 ? "-" : "+") + String(Math.abs(e)).padStart(2, "0");
}

function esc(s) {  // every label is user data: escape it wherever it enters HTML
  return String(s).replace(/[&<>"']/g, c => ({"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;"}[c]));
}

const READABLE = 0.8;  // screen pixels per drawing unit below which a fitted drawing's 11-point text is unreadable

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
    step.sent.forEach(([parent, amount], k) => {
      const local = node.locals[k];
      text += `<div class="sent">&rarr; ${esc(name(parent))}: ${fmt(step.adjoint)} &times; ${esc(local[1])} ` +
              `(= ${fmt(local[2])}) = <b>${fmt(amount)}</b>; its grad is now ${fmt(grads[parent])}</div>`;
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
  // A long graph fitted whole is too small to read: then start at a readable scale, at the output, where the
  // backward pass starts (the fit button still shows it all); stepping keeps the current node in sight.
  const pane0 = $("graph"), fitted = Math.min(pane0.clientWidth / whole[2], pane0.clientHeight / whole[3]);
  if (pane0.clientWidth > 0 && fitted < READABLE && nodes[DATA.root]) {
    view = [whole[0], whole[1], pane0.clientWidth / READABLE, pane0.clientHeight / READABLE];
    show();
    lookAt(DATA.root);
  }
  follow = id => { if (nodes[id] && !visible(id)) lookAt(id); };
  function zoom(factor, cx, cy) {  // cx, cy: the point that stays put, as fractions of the view
    const [x, y, w, h] = view;
    view = [x + w * cx * (1 - factor), y + h * cy * (1 - factor), w * factor, h * factor];
    show();
  }
  $("fit").onclick = () => { view = whole.slice(); show(); };
  $("zoom-in").onclick = () => zoom(0.8, 0.5, 0.5);
  $("zoom-out").onclick = () => zoom(1.25, 0.5, 0.5);
  const pane = $("graph");
  pane.onwheel = e => {
    e.preventDefault();
    const r = svg.getBoundingClientRect();
    zoom(e.deltaY < 0 ? 0.85 : 1 / 0.85, (e.clientX - r.left) / r.width, (e.clientY - r.top) / r.height);
  };
  let drag = null;
  pane.onmousedown = e => { drag = [e.clientX, e.clientY, view.slice()]; pane.classList.add("panning"); };
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
