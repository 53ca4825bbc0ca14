/* Registration: narrow the desa list to one kecamatan, and ask for a typed code only
   when "another village" is chosen. Without JavaScript the full list and the code
   field are simply both shown. */
(function () {
  "use strict";
  var village = document.getElementById("id_village_code");
  var filter = document.getElementById("district-filter");
  var district = document.getElementById("district");
  var other = document.getElementById("field-village_code_other");
  if (!village || !filter || !district) return;
  var groups = Array.prototype.slice.call(village.querySelectorAll("optgroup"));
  var placeholder = village.querySelector("option[value='']");
  filter.hidden = false;

  function showOther() {
    if (other) other.hidden = village.value !== "lain";
  }

  district.addEventListener("change", function () {
    var chosen = village.value;
    while (village.lastChild) village.removeChild(village.lastChild);
    if (placeholder) village.appendChild(placeholder);
    groups.forEach(function (group, index) {
      var last = index === groups.length - 1; /* "outside this kabupaten" stays */
      if (!district.value || last || group.label === district.value) village.appendChild(group);
    });
    village.value = chosen;
    if (village.value !== chosen) village.value = "";
    showOther();
  });
  village.addEventListener("change", showOther);
  showOther();
})();
