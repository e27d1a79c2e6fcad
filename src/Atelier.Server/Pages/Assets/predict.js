// The predict page: draw with any pointer (mouse, pen, finger) or drop / choose an image, then ask the JSON API.
// POST /api/v1/predict?model=NAME with the image bytes as the body; errors come back as JSON with a `title` sentence.
"use strict";
(() => {
  const canvas = document.getElementById("canvas");
  if (!canvas) return;
  const ctx = canvas.getContext("2d");
  const message = document.getElementById("message");
  const bars = document.getElementById("bars");
  const models = document.getElementById("model");
  const file = document.getElementById("file");
  let drawing = false, drawn = false, last = null, asked = 0;

  function clear() {
    ctx.fillStyle = "#000";
    ctx.fillRect(0, 0, canvas.width, canvas.height);
    drawn = false;
    bars.replaceChildren();
    say("Draw something, then press Predict (or lift the pen).");
  }

  function say(text, isError) {
    message.textContent = text;
    message.className = isError ? "error" : "muted";
  }

  function point(e) {
    const r = canvas.getBoundingClientRect();
    return { x: (e.clientX - r.left) * canvas.width / r.width, y: (e.clientY - r.top) * canvas.height / r.height };
  }

  canvas.addEventListener("pointerdown", e => {
    drawing = true;
    canvas.setPointerCapture(e.pointerId);
    last = point(e);
    stroke(last, last);
  });
  canvas.addEventListener("pointermove", e => {
    if (!drawing) return;
    const p = point(e);
    stroke(last, p);
    last = p;
  });
  const end = () => {
    if (!drawing) return;
    drawing = false;
    predictCanvas();
  };
  canvas.addEventListener("pointerup", end);
  canvas.addEventListener("pointercancel", end);

  function stroke(a, b) {
    ctx.strokeStyle = "#fff";
    ctx.lineWidth = 22;
    ctx.lineCap = "round";
    ctx.lineJoin = "round";
    ctx.beginPath();
    ctx.moveTo(a.x, a.y);
    ctx.lineTo(b.x, b.y);
    ctx.stroke();
    drawn = true;
  }

  function predictCanvas() {
    if (!drawn) { say("Draw something first.", true); return; }
    canvas.toBlob(blob => blob ? predict(blob, "image/png") : say("The browser could not export the drawing.", true), "image/png");
  }

  // A chosen or dropped file is sent as it is (JPEG, PNG, WebP…) and shown on the canvas, scaled to fit.
  async function predictFile(f) {
    if (!f) return;
    try {
      const bitmap = await createImageBitmap(f);
      ctx.fillStyle = "#000";
      ctx.fillRect(0, 0, canvas.width, canvas.height);
      const s = Math.min(canvas.width / bitmap.width, canvas.height / bitmap.height);
      ctx.drawImage(bitmap, (canvas.width - bitmap.width * s) / 2, (canvas.height - bitmap.height * s) / 2, bitmap.width * s, bitmap.height * s);
      drawn = false; // the file, not the canvas, is what gets classified
    } catch {
      // The browser cannot show it; the server may still decode it, and says so if not.
    }
    predict(f, f.type || "application/octet-stream");
  }

  // Every stroke asks again; answers can come back out of order, so only the latest request's answer is shown.
  // data-asked / data-answered on the message say which (the browser tests wait on them).
  async function predict(body, type) {
    const n = ++asked;
    message.dataset.asked = String(n);
    say("Asking the model…");
    const model = models.value;
    const url = "/api/v1/predict" + (model ? `?model=${encodeURIComponent(model)}` : "");
    let text, isError = true, top = null;
    try {
      const response = await fetch(url, { method: "POST", headers: { "Content-Type": type }, body });
      const answer = await readJson(response);
      top = response.ok ? answer?.predictions?.[0]?.top : null;
      if (!response.ok) text = problem(answer, response);
      else if (!Array.isArray(top) || top.length === 0) text = "The server's answer holds no prediction.";
      else isError = false;
    } catch (e) {
      text = `The server could not be reached: ${e.message}.`;
    }
    if (n !== asked) return;
    if (isError) { bars.replaceChildren(); say(text, true); } else show(top);
    message.dataset.answered = String(n);
  }

  function show(top) {
    bars.replaceChildren(...top.map(t => {
      const li = document.createElement("li");
      const name = document.createElement("span");
      name.className = "name";
      name.textContent = String(t.class);
      const bar = document.createElement("span");
      bar.className = "bar";
      const fill = document.createElement("span");
      const p = Math.max(0, Math.min(1, Number(t.probability) || 0));
      fill.style.width = `${(100 * p).toFixed(1)}%`;
      bar.append(fill);
      const value = document.createElement("span");
      value.className = "p";
      value.textContent = `${(100 * p).toFixed(1)}%`;
      li.append(name, bar, value);
      return li;
    }));
    say(`Most likely: ${top[0].class}.`);
  }

  async function readJson(response) {
    try { return await response.json(); } catch { return null; }
  }

  function problem(answer, response) {
    if (answer && typeof answer.title === "string") return answer.title;
    if (response.status === 404) return `This server has no prediction API (${new URL(response.url).pathname} answered 404).`;
    return `The server answered ${response.status} ${response.statusText}.`.replace(" .", ".");
  }

  async function loadModels() {
    try {
      const response = await fetch("/api/v1/models");
      const answer = await readJson(response);
      if (!response.ok) {
        models.replaceChildren(new Option("no model", ""));
        say(problem(answer, response), true);
        return;
      }
      // GET /api/v1/models answers the list itself.
      const list = Array.isArray(answer) ? answer : (answer?.models ?? []);
      models.replaceChildren(...list.map(m => new Option(m.model && m.model !== m.name ? `${m.name} (${m.model})` : String(m.name), String(m.name))));
      if (list.length === 0) { models.replaceChildren(new Option("no model", "")); say("The server has no model loaded: start it with --model CHECKPOINT.", true); }
    } catch (e) {
      say(`The server could not be reached: ${e.message}.`, true);
    }
  }

  document.getElementById("clear").addEventListener("click", clear);
  document.getElementById("predict").addEventListener("click", predictCanvas);
  file.addEventListener("change", () => predictFile(file.files[0]));
  canvas.addEventListener("dragover", e => { e.preventDefault(); canvas.classList.add("drop"); });
  canvas.addEventListener("dragleave", () => canvas.classList.remove("drop"));
  canvas.addEventListener("drop", e => {
    e.preventDefault();
    canvas.classList.remove("drop");
    predictFile(e.dataTransfer.files[0]);
  });
  clear();
  loadModels();
})();
