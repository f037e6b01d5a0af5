// Search as you type (the search page and the home page), the queries a person settles on, history, and the
// keyboard. Loaded with <script defer> by templates/kb/search.html and home.html; no inline script (strict CSP).
//
// Secrets. htmx sends the box's text by POST (hx-post in templates/kb/_search_box.html), so it never travels in a
// URL; the server redacts it before anything is answered, and when the text held a password the answer carries the
// redacted text (data-search-redacted), which replaces the box's value. htmx keeps no copy of these pages in
// sessionStorage (hx-history="false"); this script pushes only URLs the server built from the redacted text, with
// no state, and never copies the box into an attribute.
//
// Settled queries. Search as you type is never recorded. A query is settled, and recorded once, when the person
// pauses (data-settle-ms), presses Enter or the Search button, or opens a result: one POST to data-settle-url,
// which answers {url, go, settled, redacted, text}. On the search page (data-search-push) a settled query's URL is
// pushed to history; Back and Forward put that entry's query back in the box. Enter goes to the entry when the
// query names one (an exact code, an alias, a recognised paste) and otherwise stays with the results.
(function () {
  "use strict";

  var form = document.querySelector("form[data-search-form]");
  var box = form && form.querySelector("[data-search-box]");
  if (!box) return;
  var results = document.getElementById(box.getAttribute("aria-controls"));
  var push = form.hasAttribute("data-search-push");
  var settleUrl = form.getAttribute("data-settle-url");
  var settleMs = parseInt(form.getAttribute("data-settle-ms"), 10) || 1500;

  // The query last settled on, and its answer (a page served for a query counts: the server recorded it).
  var settled = box.value;
  var answered = box.value ? { url: location.pathname + location.search, go: form.getAttribute("data-search-go") || null } : null;
  var pending = null; // {value, promise} of the settle request in flight
  var timer = null;
  var sent = null; // the text of the latest search-as-you-type request

  function csrfToken() {
    try {
      return JSON.parse(document.body.getAttribute("hx-headers") || "{}")["X-CSRFToken"] || null;
    } catch (e) {
      return null;
    }
  }

  function here() { return location.pathname + location.search; }

  // Record `value` as settled (once) and resolve to its answer.
  function settle(value, keepalive) {
    if (value === settled && answered) return Promise.resolve(answered);
    if (pending && pending.value === value) return pending.promise;
    var token = csrfToken();
    if (!token || !settleUrl) return Promise.reject(new Error("no CSRF token on this page"));
    var body = new URLSearchParams();
    body.set("q", value);
    var promise = fetch(settleUrl, {
      method: "POST",
      body: body,
      headers: { "X-CSRFToken": token, "Accept": "application/json" },
      credentials: "same-origin",
      keepalive: !!keepalive
    }).then(function (response) {
      if (!response.ok) throw new Error("settle answered " + response.status);
      return response.json();
    }).then(function (answer) {
      if (pending && pending.promise === promise) pending = null;
      settled = value;
      answered = answer;
      if (answer.redacted && answer.text && box.value === value) {
        box.value = answer.text;
        settled = answer.text;
      }
      if (push && answer.settled && box.value === settled && answer.url !== here()) {
        history.pushState(null, "", answer.url);
      }
      return answer;
    }, function (error) {
      if (pending && pending.promise === promise) pending = null;
      throw error;
    });
    pending = { value: value, promise: promise };
    return promise;
  }

  function settleLater() {
    window.clearTimeout(timer);
    if (!box.value.trim() || box.value === settled) return;
    timer = window.setTimeout(function () { settle(box.value).catch(function () {}); }, settleMs);
  }

  box.addEventListener("input", settleLater);

  // The text of each search-as-you-type request; once its answer is in, a redacted text replaces the box's value.
  document.body.addEventListener("htmx:configRequest", function (event) {
    if (event.detail.elt === box) sent = box.value;
  });
  document.body.addEventListener("htmx:afterSwap", function (event) {
    if (event.detail.target !== results) return;
    var redacted = results.querySelector("[data-search-redacted]");
    if (redacted && box.value === sent) {
      box.value = redacted.getAttribute("data-search-redacted");
      if (settled === sent) settled = box.value;
    }
  });
  document.body.addEventListener("htmx:responseError", function (event) {
    if (event.detail.elt !== box || !results) return;
    results.innerHTML = '<p class="error" role="alert">Search as you type stopped working on this page: ' +
      "reload it, or press Enter to search.</p>";
  });

  // Enter or the Search button: settle, then go to the entry the query names, or stay with the results. Without a
  // CSRF token, or when the settle request fails, the form is submitted by POST to data-search-post (app.js).
  form.addEventListener("submit", function (event) {
    if (!csrfToken()) return;
    event.preventDefault();
    window.clearTimeout(timer);
    var value = box.value;
    if (!value.trim()) { box.focus(); return; }
    settle(value).then(function (answer) {
      if (answer.go) window.location.assign(answer.go);
    }).catch(function () {
      form.method = "post";
      form.action = form.getAttribute("data-search-post");
      form.submit();
    });
  });

  // Opening a result settles the query too (keepalive: the request outlives the page).
  function opened(event) {
    if (!results || !event.target.closest || !event.target.closest("a[href]")) return;
    window.clearTimeout(timer);
    if (box.value.trim() && box.value !== settled) settle(box.value, true).catch(function () {});
  }
  if (results) {
    results.addEventListener("click", opened);
    results.addEventListener("auxclick", opened);
  }

  // Back and Forward (and a page restored from the back/forward cache): the box shows the query of the history
  // entry, and its results are fetched again (search as you type: not recorded again).
  function restoreFromUrl() {
    var q = new URLSearchParams(location.search).get("q") || "";
    window.clearTimeout(timer);
    settled = q;
    answered = null;
    if (box.value === q) return;
    box.value = q;
    var request = window.htmx.ajax("POST", box.getAttribute("hx-post"), { source: box, target: results, swap: "innerHTML" });
    if (request && request.catch) request.catch(function () {}); // replaced by a newer search (hx-sync)
  }
  if (push && results) {
    window.addEventListener("popstate", restoreFromUrl);
    window.addEventListener("pageshow", function (event) { if (event.persisted) restoreFromUrl(); });
  }

  // Arrow keys: from the box to the first result, between results, and back up to the box.
  // Enter on a focused result follows its link (native behaviour); Escape returns to the box.
  function links() {
    return results ? Array.prototype.slice.call(results.querySelectorAll(".search-link")) : [];
  }
  document.addEventListener("keydown", function (event) {
    var items = links();
    var at = items.indexOf(document.activeElement);
    if (event.key === "ArrowDown") {
      if (document.activeElement === box || at !== -1) {
        if (!items.length) return;
        event.preventDefault();
        items[Math.min(at + 1, items.length - 1)].focus();
      }
    } else if (event.key === "ArrowUp") {
      if (at === -1) return;
      event.preventDefault();
      if (at === 0) { box.focus(); } else { items[at - 1].focus(); }
    } else if (event.key === "Escape" && at !== -1) {
      event.preventDefault();
      box.focus();
    }
  });
})();
