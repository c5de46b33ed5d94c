// The queue refreshes itself: the filters and a poll of /queue.json every 5 seconds.
(function () {
  "use strict";
  const form = document.getElementById("filters");
  const rows = document.getElementById("rows");
  const updated = document.getElementById("updated");

  function cell(text) {
    const td = document.createElement("td");
    td.textContent = text == null ? "" : String(text);
    return td;
  }

  async function refresh() {
    const params = new URLSearchParams(new FormData(form));
    history.replaceState(null, "", "/?" + params.toString());
    const answer = await fetch("/queue.json?" + params.toString(), {credentials: "same-origin"});
    if (answer.redirected || answer.status === 401) { location.href = "/login"; return; }
    if (!answer.ok) { updated.textContent = "Could not refresh (" + answer.status + ")"; return; }
    const data = await answer.json();
    rows.replaceChildren();
    if (!data.tickets.length) {
      const tr = document.createElement("tr");
      const td = cell("No tickets match these filters.");
      td.colSpan = 9; td.className = "muted"; tr.append(td); rows.append(tr);
    }
    for (const t of data.tickets) {
      const tr = document.createElement("tr");
      tr.className = "clickable";
      tr.dataset.ticket = t.id;
      const link = document.createElement("a");
      link.href = "/tickets/" + t.id; link.textContent = "#" + t.id;
      const first = document.createElement("td"); first.append(link);
      // The summary's first line repeats the columns; the next two say what happened.
      const summary = (t.summary || "").split("\n").slice(1, 3).join(" · ");
      const opened = t.opened_at ? new Date(t.opened_at).toLocaleString() : "";
      // The username when there is one, the number when Meta shares it; never required.
      const customer = t.username || (t.phone ? "+" + t.phone : t.bsuid || t.customer);
      tr.append(first, cell(customer), cell(t.status.replaceAll("_", " ")), cell(t.priority), cell(t.queue),
        cell(t.use_case), cell(summary), cell(t.assignee || "—"), cell(opened));
      tr.addEventListener("click", () => { location.href = "/tickets/" + t.id; });
      rows.append(tr);
    }
    updated.textContent = "Updated " + new Date().toLocaleTimeString();
  }

  form.addEventListener("change", refresh);
  refresh();
  setInterval(refresh, 5000);
})();
