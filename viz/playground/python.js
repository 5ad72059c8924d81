// Python in the page: Pyodide (CPython compiled to WebAssembly) with chainrule unzipped onto its path, from the
// site's own folder. Shared by the playground and the training page.
"use strict";

async function startPython() {
  if (location.protocol === "file:") {  // browsers refuse WebAssembly and fetch from file:// pages
    throw new Error("this page must be served, not opened as a file: run `python3 -m http.server -d site` " +
                    "and open http://127.0.0.1:8000/");
  }
  const [pyodide, zip] = await Promise.all([
    loadPyodide({ indexURL: new URL("pyodide/", location.href).href }),
    fetch("chainrule.zip").then(r => {
      if (!r.ok) throw new Error(`chainrule.zip: HTTP ${r.status}`);
      return r.arrayBuffer();
    }),
  ]);
  pyodide.unpackArchive(zip, "zip", { extractDir: "/home/pyodide/chainrule" });
  pyodide.runPython("import sys; sys.path.insert(0, '/home/pyodide/chainrule')");
  return pyodide;
}

function python(call) {  // a call into the page's Python: its answer, or its failure as the learner's error
  try {
    return JSON.parse(call());
  } catch (e) {
    return { error: "The page's Python failed: " + (e.message || String(e)) };
  }
}

function showVersions(pyodide, withGraphviz) {
  const v = JSON.parse(document.getElementById("versions-data").textContent);
  const python = pyodide.runPython("import sys; sys.version.split()[0]");
  document.getElementById("versions").textContent =
    `Python ${python} in your tab (Pyodide ${v.pyodide})` +
    (withGraphviz ? `; Graphviz as WebAssembly (@viz-js/viz ${v.viz})` : "") +
    ". Your code runs here and nothing is sent anywhere.";
}
