/* "Show times in my time zone": converts every <time datetime="…Z"> inside a .when span and on
   the hour axis (.agenda-hour) with Intl.DateTimeFormat, and the sentence that says which zone
   the times are in (.tz-note), and back. The choice is remembered in localStorage. */
(function () {
  "use strict";
  var KEY = "meetings.agenda.localTimes";
  var box = document.querySelector(".tz-switch");
  if (!box || !window.Intl || !Intl.DateTimeFormat) { return; }
  var button = box.querySelector("button");
  var status = box.querySelector(".tz-status");
  var editionZone = box.getAttribute("data-zone");
  var visitorZone = Intl.DateTimeFormat().resolvedOptions().timeZone || "";
  var clock = new Intl.DateTimeFormat(undefined, { hour: "2-digit", minute: "2-digit", hourCycle: "h23" });
  var dayAndClock = new Intl.DateTimeFormat(undefined, {
    weekday: "short", day: "numeric", month: "short", hour: "2-digit", minute: "2-digit", hourCycle: "h23"
  });
  var isoDay = function (zone) {
    return new Intl.DateTimeFormat("en-CA", { timeZone: zone, year: "numeric", month: "2-digit", day: "2-digit" });
  };
  var visitorDay = isoDay(undefined);
  var editionDay = isoDay(editionZone);
  var zoneName = new Intl.DateTimeFormat(undefined, { hour: "numeric", timeZoneName: "short" });

  function shortZone(date) {
    var parts = zoneName.formatToParts(date);
    for (var i = 0; i < parts.length; i++) {
      if (parts[i].type === "timeZoneName") { return parts[i].value; }
    }
    return visitorZone;
  }

  function remember(on) {
    try { window.localStorage.setItem(KEY, on ? "1" : "0"); } catch (e) { /* private mode */ }
  }

  function remembered() {
    try { return window.localStorage.getItem(KEY) === "1"; } catch (e) { return false; }
  }

  function convert(span, on) {
    var times = span.querySelectorAll("time");
    var tz = span.querySelector(".tz");
    for (var i = 0; i < times.length; i++) {
      var el = times[i];
      if (!el.hasAttribute("data-original")) { el.setAttribute("data-original", el.textContent); }
      if (!on) { el.textContent = el.getAttribute("data-original"); continue; }
      var date = new Date(el.getAttribute("datetime"));
      var sameDay = visitorDay.format(date) === editionDay.format(date);
      el.textContent = sameDay ? clock.format(date) : dayAndClock.format(date);
    }
    if (tz && times.length) {
      if (!tz.hasAttribute("data-original")) { tz.setAttribute("data-original", tz.textContent); }
      tz.textContent = on ? shortZone(new Date(times[0].getAttribute("datetime"))) : tz.getAttribute("data-original");
    }
  }

  function swap(el, on, text) {
    if (!el.hasAttribute("data-original")) { el.setAttribute("data-original", el.textContent); }
    el.textContent = on ? text : el.getAttribute("data-original");
  }

  function relabel(on) {
    var hours = document.querySelectorAll(".agenda-hour time");
    for (var i = 0; i < hours.length; i++) {
      swap(hours[i], on, clock.format(new Date(hours[i].getAttribute("datetime"))));
    }
    var notes = document.querySelectorAll(".tz-note[data-local-note]");
    for (var j = 0; j < notes.length; j++) {
      swap(notes[j], on, notes[j].getAttribute("data-local-note").replace("{zone}", visitorZone));
    }
  }

  function apply(on, announce) {
    var spans = document.querySelectorAll(".when");
    for (var i = 0; i < spans.length; i++) { convert(spans[i], on); }
    relabel(on);
    // The label itself says what a press does next, so no aria-pressed (it would contradict it).
    button.setAttribute("data-local", on ? "true" : "false");
    button.textContent = box.getAttribute(on ? "data-show-edition" : "data-show-local");
    if (announce) {
      status.textContent = on
        ? box.getAttribute("data-status-local").replace("{zone}", visitorZone)
        : box.getAttribute("data-status-edition");
    }
  }

  button.addEventListener("click", function () {
    var on = button.getAttribute("data-local") !== "true";
    apply(on, true);
    remember(on);
  });
  box.hidden = false;
  if (remembered()) { apply(true, false); }
})();
