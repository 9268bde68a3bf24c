/* The counter screen (outreach/counter.html): each tap gets a key (UUID) made here, is queued in
   localStorage, then sent; a tap that cannot be sent (network down, server unreachable) stays queued and is
   sent again when the connection returns (the "online" event) and every few seconds. The server stores the
   key once per session, so a queue replayed twice, or two tabs sending the same tap, count once. The number
   shown is the server's count plus the taps waiting here, and the screen says how many are waiting. */
(function () {
  "use strict";
  var root = document.getElementById("counter");
  var form = document.getElementById("counter-form");
  if (!root || !form) { return; }
  var url = form.getAttribute("action");
  var storageKey = root.getAttribute("data-queue-key");
  var serverCount = parseInt(root.getAttribute("data-count"), 10) || 0;
  var csrf = form.querySelector("input[name=csrfmiddlewaretoken]").value;
  var total = document.getElementById("counter-total");
  var detail = document.getElementById("counter-detail");
  var offline = document.getElementById("counter-offline");
  var errorBox = document.getElementById("counter-error");
  var sending = false;
  var retry = null;
  var RETRY_MS = 4000;
  var savedLabel = root.getAttribute("data-saved");
  var waitingLabel = root.getAttribute("data-waiting");
  var reconnectLabel = root.getAttribute("data-reconnect");
  var goneLabel = root.getAttribute("data-gone");

  function load() {
    try { return JSON.parse(window.localStorage.getItem(storageKey) || "[]"); } catch (e) { return []; }
  }
  function save(queue) { window.localStorage.setItem(storageKey, JSON.stringify(queue)); }
  function drop(key) { save(load().filter(function (item) { return item.key !== key; })); }

  function newKey() {
    if (window.crypto && window.crypto.randomUUID) { return window.crypto.randomUUID(); }
    var b = new Uint8Array(16);
    window.crypto.getRandomValues(b);
    b[6] = (b[6] & 0x0f) | 0x40;
    b[8] = (b[8] & 0x3f) | 0x80;
    var h = Array.prototype.map.call(b, function (x) { return (x + 0x100).toString(16).slice(1); }).join("");
    return h.slice(0, 8) + "-" + h.slice(8, 12) + "-" + h.slice(12, 16) + "-" + h.slice(16, 20) + "-" + h.slice(20);
  }

  function render() {
    var waiting = load().length;
    total.textContent = String(serverCount + waiting);
    var text = savedLabel.replace("{n}", serverCount);
    if (waiting) { text += " · " + waitingLabel.replace("{n}", waiting); }
    detail.textContent = text;
    detail.classList.toggle("outreach-waiting", waiting > 0);
    offline.hidden = navigator.onLine !== false;
  }

  function showError(message) {
    errorBox.querySelector("p").textContent = message;
    errorBox.hidden = false;
  }

  function later() {
    if (retry === null) { retry = window.setTimeout(function () { retry = null; flush(); }, RETRY_MS); }
  }

  function flush() {
    if (sending) { return; }
    var queue = load();
    if (!queue.length) { render(); return; }
    sending = true;
    var item = queue[0];
    var body = new FormData();
    body.append("key", item.key);
    item.fields.forEach(function (pair) { body.append(pair[0], pair[1]); });
    fetch(url, {
      method: "POST", body: body, credentials: "same-origin", redirect: "manual",
      headers: { "X-CSRFToken": csrf, "Accept": "application/json" }
    }).then(function (response) {
      if (response.type === "opaqueredirect" || response.status === 403) {
        // Logged out, or the page's security token is stale: the taps stay here until she logs in again.
        return { status: 403, json: {} };
      }
      if (response.status === 404) { return { status: 404, json: {} }; }
      return response.json().then(function (json) { return { status: response.status, json: json }; });
    }).then(function (answer) {
      if (answer.status === 403) {
        showError(reconnectLabel);
        throw new Error("retry");
      }
      if (answer.status === 404) {
        drop(item.key);  // the session is no longer hers to count: never sent again
        showError(goneLabel);
      } else if (answer.status === 200) {
        drop(item.key);
        serverCount = answer.json.count;
        errorBox.hidden = true;
      } else if (answer.status === 400) {
        drop(item.key);  // refused for good (a cancelled session): never sent again
        showError(answer.json.error);
      } else {
        throw new Error("retry");
      }
      sending = false;
      render();
      flush();
    }).catch(function () {
      sending = false;
      render();
      later();
    });
  }

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    var fields = [];
    new FormData(form).forEach(function (value, name) {
      if (name !== "csrfmiddlewaretoken" && name !== "key" && value !== "") { fields.push([name, value]); }
    });
    var queue = load();
    queue.push({ key: newKey(), fields: fields });
    save(queue);
    form.reset();
    errorBox.hidden = true;
    render();
    flush();
  });
  window.addEventListener("online", function () { render(); flush(); });
  window.addEventListener("offline", render);
  render();
  flush();
})();
