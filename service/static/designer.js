// The BPMN modeler page: bpmn-js with this product's properties panel, and the server's
// lint, simulated schedule, diff and deploy shown on the diagram. Every check runs on the
// server (the same code as a deployment); this file only edits XML and shows the answers.
(function () {
  "use strict";

  const SPIFF_URI = "http://spiffworkflow.org/bpmn/schema/1.0/core";

  // The product's extension elements, so bpmn-js reads and writes them instead of dropping
  // them: every element SpiffWorkflow's parser reads from this namespace is declared here.
  const spiffModdle = {
    name: "SpiffWorkflow", uri: SPIFF_URI, prefix: "spiffworkflow",
    xml: { tagAlias: "lowerCase" }, associations: [],
    types: [
      { name: "Properties", superClass: ["Element"],
        properties: [{ name: "properties", type: "Property", isMany: true }] },
      { name: "Property", superClass: ["Element"],
        properties: [{ name: "name", isAttr: true, type: "String" },
                     { name: "value", isAttr: true, type: "String" }] },
      ...["PreScript", "PostScript", "MessagePayload", "MessageVariable", "CalledDecisionId",
          "InstructionsForEndUser", "VariableName"].map((name) => ({
        name, superClass: ["Element"], properties: [{ name: "value", isBody: true, type: "String" }],
      })),
    ],
  };

  const root = document.getElementById("designer");
  const $ = (id) => document.getElementById(id);
  const status = (text) => { $("status").textContent = text; };
  let selected = null;
  let lintBadges = [];

  const modeler = new window.BpmnJS({ container: "#canvas", moddleExtensions: { spiffworkflow: spiffModdle } });
  const modeling = modeler.get("modeling");
  const moddle = modeler.get("moddle");
  const registry = modeler.get("elementRegistry");
  const canvas = modeler.get("canvas");
  const overlays = modeler.get("overlays");
  const selection = modeler.get("selection");

  async function load() {
    const response = await fetch(root.dataset.xmlUrl, { credentials: "same-origin" });
    const xml = await response.text();
    try {
      const result = await modeler.importXML(xml);
      const unkept = result.warnings.filter((w) => !keepReference(w));
      canvas.zoom("fit-viewport");
      fillPicker();
      const warnings = unkept.length ? ` (${unkept.length} cảnh báo khi đọc)` : "";
      status(root.dataset.version ? `Đã mở phiên bản ${root.dataset.version}${warnings}.`
        : `Đã mở bản nháp của quy trình mới${warnings}.`);
      root.dataset.ready = "true";
    } catch (err) {
      status(`Không mở được sơ đồ: ${err.message}`);
    }
  }

  // SpiffWorkflow reads a multi-instance's loopDataInputRef/loopDataOutputRef as the name of a
  // process variable, which is no element id: bpmn-js would drop such a reference on export.
  // A detached stand-in with that id keeps it, so the file comes back as it came in.
  function keepReference(warning) {
    const found = /^unresolved reference <(.+)>$/.exec(warning.message || "");
    if (!found || !warning.element || !warning.property) return false;
    const descriptor = warning.element.$descriptor.propertiesByName[warning.property];
    if (!descriptor) return false;
    const standIn = moddle.create(descriptor.type, { id: found[1] });
    if (descriptor.isMany) warning.element.get(warning.property).push(standIn);
    else warning.element.set(warning.property, standIn);
    return true;
  }

  async function currentXml() {
    const { xml } = await modeler.saveXML({ format: true });
    return xml;
  }

  // --- the properties panel --------------------------------------------------------------

  // The canvas is for the mouse; this list lets a keyboard reach every element too.
  function fillPicker() {
    const picker = $("element-picker");
    const chosen = picker.value;
    const options = registry.filter((e) => e.type !== "label" && e.businessObject && e.businessObject.id
                                     && e.parent && !e.type.endsWith("Process") && !e.type.endsWith("Collaboration"))
      .map((e) => new Option(`${e.businessObject.name || e.businessObject.id} (${kindOf(e)})`, e.id));
    options.sort((a, b) => a.text.localeCompare(b.text, "vi"));
    picker.replaceChildren(new Option("—", ""), ...options);
    picker.value = chosen;
  }

  function productProperties(bo) {
    const values = (bo.extensionElements && bo.extensionElements.values) || [];
    return values.find((v) => v.$type === "spiffworkflow:Properties");
  }

  function readProperty(bo, name) {
    const props = productProperties(bo);
    const found = props && (props.properties || []).find((p) => p.name === name);
    return found ? found.value || "" : "";
  }

  function writeProperty(element, name, value) {
    const bo = element.businessObject;
    let extensions = bo.extensionElements;
    if (!extensions) {
      extensions = moddle.create("bpmn:ExtensionElements", { values: [] });
      extensions.$parent = bo;
      modeling.updateProperties(element, { extensionElements: extensions });
    }
    let props = productProperties(bo);
    if (!props) {
      props = moddle.create("spiffworkflow:Properties", { properties: [] });
      props.$parent = extensions;
      modeling.updateModdleProperties(element, extensions, { values: [...extensions.values, props] });
    }
    const list = (props.properties || []).slice();
    const at = list.findIndex((p) => p.name === name);
    if (value && at >= 0 && list[at].value === value) return;
    if (!value && at < 0) return;
    if (value) {
      const entry = moddle.create("spiffworkflow:Property", { name, value });
      entry.$parent = props;
      if (at >= 0) list[at] = entry; else list.push(entry);
    } else {
      list.splice(at, 1);
    }
    modeling.updateModdleProperties(element, props, { properties: list });
  }

  function showSelection(element) {
    selected = element && element.type !== "bpmn:Process" && element.type !== "label" ? element : null;
    const fieldset = $("property-fields");
    fieldset.disabled = !selected;
    if (!selected) {
      $("element-picker").value = "";
      $("selected-element").textContent = "Chọn một phần tử trên sơ đồ.";
      fieldset.querySelectorAll("input, select").forEach((input) => { input.value = ""; });
      return;
    }
    const bo = selected.businessObject;
    $("selected-element").textContent = `${kindOf(selected)} · ${bo.id}`;
    $("element-picker").value = selected.id;
    fieldset.querySelectorAll("[data-attribute]").forEach((input) => {
      input.value = bo.get(input.dataset.attribute) || "";
    });
    fieldset.querySelectorAll("[data-property]").forEach((input) => {
      input.value = readProperty(bo, input.dataset.property);
    });
  }

  function applyField(input) {
    if (!selected) return;
    const value = input.value.trim();
    if (input.dataset.attribute) {
      if ((selected.businessObject.get(input.dataset.attribute) || "") !== value) {
        modeling.updateProperties(selected, { [input.dataset.attribute]: value || undefined });
      }
    } else {
      writeProperty(selected, input.dataset.property, value);
    }
  }

  function kindOf(element) {
    return element.type.replace("bpmn:", "");
  }

  // --- talking to the server --------------------------------------------------------------

  async function post(url, body) {
    const response = await fetch(url, {
      method: "POST", credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRF-Token": root.dataset.csrf,
                 Accept: "application/json" },
      body: JSON.stringify(body),
    });
    let data = {};
    try { data = await response.json(); } catch (err) { data = { detail: response.statusText }; }
    return { ok: response.ok, status: response.status, data };
  }

  function nameOf(elementId) {
    const element = elementId && registry.get(elementId);
    return element && element.businessObject.name ? `“${element.businessObject.name}”` : "";
  }

  function clearLint() {
    registry.getAll().forEach((e) => canvas.removeMarker(e, "lint-error"));
    lintBadges.forEach((id) => overlays.remove(id));
    lintBadges = [];
    $("lint-list").replaceChildren();
  }

  function showProblems(problems, summary) {
    clearLint();
    $("lint-summary").textContent = summary;
    problems.forEach((problem) => {
      const item = document.createElement("li");
      const onCanvas = problem.element_id && registry.get(problem.element_id);
      if (onCanvas) {
        canvas.addMarker(problem.element_id, "lint-error");
        const badge = document.createElement("div");
        badge.className = "lint-badge";
        badge.textContent = "!";
        badge.title = problem.reason;
        lintBadges.push(overlays.add(problem.element_id, "lint", { position: { top: -10, right: 10 }, html: badge }));
        const jump = document.createElement("button");
        jump.type = "button";
        jump.textContent = `${problem.element_id} ${nameOf(problem.element_id)}`.trim();
        jump.addEventListener("click", () => { selection.select(onCanvas); showSelection(onCanvas); });
        item.append(jump, `: ${problem.reason}`);
      } else {
        item.textContent = problem.element_id ? `${problem.element_id}: ${problem.reason}` : problem.reason;
      }
      item.dataset.elementId = problem.element_id || "";
      $("lint-list").append(item);
    });
  }

  function showOutcome(result, okText) {
    if (result.ok) {
      showProblems([], okText);
      return true;
    }
    const problems = result.data.problems || [];
    showProblems(problems, result.data.detail || `Máy chủ trả lời ${result.status}`);
    return false;
  }

  async function lint() {
    status("Đang kiểm tra…");
    const result = await post(root.dataset.lintUrl, { bpmn: await currentXml() });
    const fine = showOutcome(result, "Không có lỗi: sơ đồ triển khai được.");
    status(fine ? "Kiểm tra xong: không có lỗi." : `Kiểm tra xong: ${result.data.problems ? result.data.problems.length : 1} lỗi.`);
    return fine;
  }

  async function schedule(event) {
    event.preventDefault();
    let variables;
    try {
      variables = JSON.parse($("schedule-variables").value || "{}");
    } catch (err) {
      $("schedule-summary").textContent = "Giá trị biến phải là một đối tượng JSON, ví dụ {\"reply_days\": 10}.";
      return;
    }
    const result = await post(root.dataset.scheduleUrl, {
      bpmn: await currentXml(), start: `${$("schedule-start").value}:00`, variables,
    });
    const body = $("schedule-table").querySelector("tbody");
    body.replaceChildren();
    if (!result.ok) {
      $("schedule-table").hidden = true;
      $("schedule-summary").textContent = result.data.detail || `Máy chủ trả lời ${result.status}`;
      if (result.data.problems) showProblems(result.data.problems, result.data.detail);
      return;
    }
    const data = result.data;
    data.steps.forEach((step) => {
      const row = document.createElement("tr");
      row.dataset.elementId = step.element_id;
      const cells = [step.name || step.element_id, step.agency || "—", step.rule || "Không có thời hạn",
                     step.start.text, step.due ? step.due.text : step.error || "—"];
      cells.forEach((text, i) => {
        const cell = document.createElement(i === 0 ? "th" : "td");
        if (i === 0) cell.scope = "row";
        cell.textContent = text;
        if (i === 4 && step.explanation) cell.title = step.explanation;
        if (i === 4 && step.error) cell.className = "error";
        row.append(cell);
      });
      body.append(row);
    });
    $("schedule-table").hidden = false;
    const needs = data.needs.length ? ` Cần giá trị của biến: ${data.needs.join(", ")}.` : "";
    $("schedule-summary").textContent = `Bắt đầu ${data.start.text}, xong chậm nhất ${data.end.text}.${needs}`;
  }

  function describeChange(change) {
    const old = change.old === null ? "(không có)" : change.old;
    const now = change.new === null ? "(bỏ)" : change.new;
    return `${change.label}: ${old} → ${now}`;
  }

  async function diff() {
    const result = await post(root.dataset.diffUrl, { bpmn: await currentXml() });
    const list = $("diff-list");
    list.replaceChildren();
    registry.getAll().forEach((e) => { canvas.removeMarker(e, "diff-added"); canvas.removeMarker(e, "diff-changed"); });
    if (!result.ok) {
      $("diff-summary").textContent = result.data.detail || `Máy chủ trả lời ${result.status}`;
      return;
    }
    const data = result.data;
    const add = (text, elementId, marker) => {
      const item = document.createElement("li");
      item.textContent = text;
      item.dataset.elementId = elementId;
      list.append(item);
      if (marker && registry.get(elementId)) canvas.addMarker(elementId, marker);
    };
    data.added.forEach((e) => add(`Thêm ${e.kind} ${e.element_id} ${e.name}`.trim(), e.element_id, "diff-added"));
    data.removed.forEach((e) => add(`Bỏ ${e.kind} ${e.element_id} ${e.name}`.trim(), e.element_id, null));
    data.changed.forEach((e) => add(`Sửa ${e.kind} ${e.element_id} ${e.name}: ${e.changes.map(describeChange).join("; ")}`,
                                    e.element_id, "diff-changed"));
    $("diff-summary").textContent = data.same
      ? `Không có thay đổi so với phiên bản ${data.version}.`
      : `So với phiên bản ${data.version}: thêm ${data.added.length}, bỏ ${data.removed.length}, sửa ${data.changed.length} phần tử.`;
  }

  async function deploy() {
    status("Đang triển khai…");
    const result = await post(root.dataset.deployUrl, { bpmn: await currentXml() });
    if (!showOutcome(result, "Không có lỗi.")) {
      status("Chưa triển khai: sơ đồ còn lỗi (xem Kết quả kiểm tra).");
      return;
    }
    const version = result.data.version;
    if (!root.dataset.version) {
      window.location.assign(root.dataset.pageUrl);  // the new process now has its own page
      return;
    }
    root.dataset.version = version;
    $("deployed-version").textContent = version;
    status(result.data.created
      ? `Đã triển khai phiên bản ${version}. Hồ sơ đang chạy giữ phiên bản cũ; hồ sơ mới chạy theo phiên bản ${version}.`
      : `Nội dung này đã là phiên bản ${version}; không tạo phiên bản mới.`);
  }

  modeler.on("selection.changed", (event) => showSelection(event.newSelection[0]));
  modeler.on("commandStack.changed", fillPicker);
  $("element-picker").addEventListener("change", (event) => {
    const element = registry.get(event.target.value);
    if (element) selection.select(element); else selection.select(null);
  });
  modeler.on("element.changed", (event) => {
    if (selected && event.element === selected) showSelection(selected);
  });
  $("property-fields").querySelectorAll("input, select").forEach((input) => {
    input.addEventListener("change", () => applyField(input));
  });
  $("properties").addEventListener("submit", (event) => {
    event.preventDefault();
    $("property-fields").querySelectorAll("input, select").forEach(applyField);
    status("Đã áp dụng thuộc tính vào sơ đồ (chưa triển khai).");
  });
  $("lint-button").addEventListener("click", lint);
  if ($("diff-button")) $("diff-button").addEventListener("click", diff);
  $("deploy-button").addEventListener("click", deploy);
  $("schedule-form").addEventListener("submit", schedule);
  $("download-link").addEventListener("click", async (event) => {
    event.preventDefault();
    const blob = new Blob([await currentXml()], { type: "application/xml" });
    const link = document.createElement("a");
    link.href = URL.createObjectURL(blob);
    link.download = `${root.dataset.processId}.bpmn`;
    link.click();
    URL.revokeObjectURL(link.href);
  });
  load();
}());
