/*
 * The profile's map: the area's children shaded by the figure chosen in the select
 * (a choropleth). Shapes come from the areas API (geo/map.js draws them); how each child
 * is shaded, and the legend, from the profile's map data (indicators:profile_map): a class
 * by quantile, or a state that is not a value (partial, hidden small count, no figure).
 * Texts from the server are shown as text, never as HTML.
 */
(function () {
  "use strict";

  // The same colours as profile_map.css's .choropleth-c0 … c4, light to dark.
  var CLASSES = ["#eff6ff", "#bfdbfe", "#60a5fa", "#2563eb", "#1e3a8a"];
  var STATES = {
    partial: { fillColor: "#9ca3af", fillOpacity: 0.8, dashArray: "4 3" },
    hidden: { fillColor: "#e5e7eb", fillOpacity: 0.9 },
    missing: { fillColor: "#ffffff", fillOpacity: 0.6 },
  };

  function swatchClass(item) {
    return item.state === "value" ? "choropleth-c" + item.class : "choropleth-" + item.state;
  }

  function setup(section) {
    var container = section.querySelector("[data-geojson]");
    var select = section.querySelector("[data-profile-map-indicator]");
    var title = section.querySelector("[data-choropleth-title]");
    var items = section.querySelector("[data-choropleth-items]");
    var shades = {};

    function style(feature) {
      var shade = shades[String(feature.properties.id)];
      if (!shade) return STATES.missing;
      if (shade.state === "value") {
        return { fillColor: CLASSES[shade.class] || CLASSES[0], fillOpacity: 0.85, color: "#334155" };
      }
      return STATES[shade.state] || STATES.missing;
    }

    function tooltip(feature) {
      var shade = shades[String(feature.properties.id)];
      return feature.properties.name + ": " + (shade ? shade.shown : "—");
    }

    function showLegend(data) {
      title.textContent = data.empty || data.title;
      items.replaceChildren();
      data.legend.forEach(function (item) {
        var entry = document.createElement("li");
        entry.dataset.legendState = item.state;
        var swatch = document.createElement("span");
        swatch.className = "choropleth-swatch " + swatchClass(item);
        swatch.setAttribute("aria-hidden", "true");
        var label = document.createElement("bdi");
        label.textContent = item.label;
        entry.append(swatch, label);
        items.append(entry);
      });
    }

    function load(drawn) {
      var url = new URL(container.dataset.values, window.location.href);
      url.searchParams.set("indicator", select.value);
      return fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
        .then(function (response) {
          if (!response.ok) throw new Error(response.status);
          return response.json();
        })
        .then(function (data) {
          shades = data.areas;
          showLegend(data);
          drawn.restyle();
          container.dataset.shaded = select.value;
        });
    }

    window.BarzanMap.draw(container, { style: style, tooltip: tooltip })
      .then(function (drawn) {
        select.addEventListener("change", function () {
          load(drawn).catch(function () { title.textContent = container.dataset.errorText; });
        });
        return load(drawn);
      })
      .catch(function () { title.textContent = container.dataset.errorText; });
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("[data-profile-map]").forEach(setup);
  });
})();
