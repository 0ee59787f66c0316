/* Draw an instance's BPMN diagram with bpmn-js and mark each step done, current or overdue.
   The page says the same in its list of steps; this only draws it. Marks come from the
   server (data-marks); each gets a class (outline and fill) and a badge with words, so the
   state never rests on colour alone. */
(function () {
  "use strict";
  var box = document.getElementById("diagram");
  if (!box || typeof window.BpmnJS === "undefined") { return; }
  var marks = JSON.parse(box.dataset.marks || "{}");
  var labels = JSON.parse(box.dataset.labels || "{}");
  var symbols = { completed: "✓", current: "▶", overdue: "!" };
  var viewer = new window.BpmnJS({ container: box });

  function mark(id) {
    var registry = viewer.get("elementRegistry");
    if (!registry.get(id)) { return; }
    viewer.get("canvas").addMarker(id, "mark-" + marks[id]);
    var badge = document.createElement("span");
    badge.className = "diagram-badge " + marks[id];
    badge.textContent = symbols[marks[id]] + " " + labels[marks[id]];
    viewer.get("overlays").add(id, "mark", { position: { top: -20, left: 0 }, html: badge });
  }

  fetch(box.dataset.src, { credentials: "same-origin" })
    .then(function (response) {
      if (!response.ok) { throw new Error("HTTP " + response.status); }
      return response.text();
    })
    .then(function (xml) { return viewer.importXML(xml); })
    .then(function () {
      Object.keys(marks).forEach(mark);
      viewer.get("canvas").zoom("fit-viewport", "auto");
      box.dataset.state = "ready";
    })
    .catch(function (error) {
      box.dataset.state = "failed";
      box.textContent = "Không vẽ được sơ đồ (" + error.message + "); xem danh sách các bước dưới đây.";
    });
}());
