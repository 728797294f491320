// Draw every chart whose Plotly figure the page carries as JSON, and keep the
// adoption form's action pointed at the council chosen in its list.
document.querySelectorAll("[data-plot]").forEach(function (el) {
  var source = document.getElementById(el.getAttribute("data-plot"));
  if (!source || typeof Plotly === "undefined") return;
  var figure = JSON.parse(source.textContent);
  Plotly.newPlot(el, figure.data, figure.layout, {responsive: true, displaylogo: false});
});
document.querySelectorAll("[data-action-council]").forEach(function (select) {
  select.addEventListener("change", function () {
    select.form.action = "/councils/" + encodeURIComponent(select.value) + "/adoptions";
  });
});
