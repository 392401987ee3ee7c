// The order file import's progress bar: polls the import's progress until it ends, then shows the result.
"use strict";

document.querySelectorAll("progress[data-progress-url]").forEach((bar) => {
  const label = bar.parentElement.querySelector(".order-import-progress-label");
  const poll = () => {
    fetch(bar.dataset.progressUrl, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then((answer) => (answer.ok ? answer.json() : Promise.reject(answer.status)))
      .then((progress) => {
        if (progress.state !== "importing") {
          window.location.reload();
          return;
        }
        bar.max = Math.max(progress.rows, progress.rows_read, 1);
        bar.value = progress.rows_read;
        if (label) {
          label.textContent = `${progress.rows_read} / ${progress.rows} rows`;
        }
        window.setTimeout(poll, 1000);
      })
      .catch(() => window.setTimeout(poll, 3000));
  };
  poll();
});
