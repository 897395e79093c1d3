/*
 * Area maps: Leaflet with GeoJSON layers only — no tiles, nothing from the internet.
 * A map container names the GeoJSON to draw in data-geojson; the area's own outline
 * (role "self") is drawn as a frame, its children as filled shapes or dots that link to
 * their pages. Names from the server are shown as text, never as HTML.
 */
(function () {
  "use strict";

  var SELF = { color: "#334155", weight: 2, fill: false, dashArray: "4 3", interactive: false };
  var CHILD = { color: "#0f766e", weight: 1, fillColor: "#14b8a6", fillOpacity: 0.28 };
  var HOVER = { weight: 2.5, fillOpacity: 0.5 };

  // Leaflet puts a string given to a tooltip or popup into the page as HTML: an area's name
  // typed as "<img src=x onerror=…>" would run. Give it an element holding the name as text.
  function textTooltip(text) {
    var element = document.createElement("span");
    element.textContent = text == null ? "" : String(text);
    return element;
  }

  // Follow only links to this site's own pages: never a javascript: or another host's URL.
  function sameOriginPage(url) {
    if (!url) return null;
    var target;
    try { target = new URL(url, window.location.href); } catch (error) { return null; }
    return target.origin === window.location.origin ? target.href : null;
  }

  function drawMap(container) {
    if (container.dataset.ready) return;
    container.dataset.ready = "1";
    var status = container.parentElement.querySelector("[data-map-status]");
    var map = L.map(container, {
      attributionControl: false,
      zoomSnap: 0.25,
      preferCanvas: false,
    });
    fetch(container.dataset.geojson, { credentials: "same-origin", headers: { Accept: "application/geo+json" } })
      .then(function (response) {
        if (!response.ok) throw new Error(response.status);
        return response.json();
      })
      .then(function (collection) {
        var children = collection.features.filter(function (f) { return f.properties.role !== "self"; });
        var synthetic = collection.features.some(function (f) { return f.properties.synthetic; });
        var layer = L.geoJSON(collection, {
          style: function (feature) { return feature.properties.role === "self" ? SELF : CHILD; },
          pointToLayer: function (feature, latlng) {
            return L.circleMarker(latlng, { radius: 5, color: "#0f766e", weight: 1, fillColor: "#14b8a6", fillOpacity: 0.8 });
          },
          onEachFeature: function (feature, shape) {
            if (feature.properties.role === "self") return;
            shape.bindTooltip(textTooltip(feature.properties.name), { sticky: true, direction: "top" });
            shape.on("click", function () {
              var target = sameOriginPage(feature.properties.url);
              if (target) window.location.href = target;
            });
            shape.on("mouseover", function () { if (shape.setStyle) shape.setStyle(HOVER); });
            shape.on("mouseout", function () { if (shape.setStyle && layer) layer.resetStyle(shape); });
          },
        }).addTo(map);
        container.dataset.features = String(children.length);
        if (collection.features.length) {
          map.fitBounds(layer.getBounds(), { padding: [12, 12] });
        } else {
          map.setView([32.5, 53.7], 5);
        }
        if (status) {
          var note = collection.features.length ? "" : container.dataset.emptyText;
          if (synthetic) note = container.dataset.syntheticText;
          status.textContent = note;
          status.hidden = !note;
        }
        container.dataset.loaded = "1";
      })
      .catch(function () {
        if (status) { status.textContent = container.dataset.errorText; status.hidden = false; }
        container.dataset.loaded = "error";
      });
  }

  function init(root) {
    (root || document).querySelectorAll("[data-geojson]").forEach(drawMap);
  }
  document.addEventListener("DOMContentLoaded", function () { init(); });
})();
