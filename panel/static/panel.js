// Shows every <time> in the browser's time zone. The page is written with
// UTC, which stays in the title (shown on hover) and is what a browser
// without JavaScript shows.
"use strict";
document.querySelectorAll("time[datetime]").forEach(function (t) {
  var d = new Date(t.getAttribute("datetime"));
  if (!isNaN(d)) {
    t.textContent = d.toLocaleString(undefined, { dateStyle: "medium", timeStyle: "medium" });
  }
});
