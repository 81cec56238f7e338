// The new-action form offers only the letter languages of the action type chosen: the page
// lists each type's languages (data-languages, from the domain's definitions); the server
// refuses any other all the same.
(function () {
  "use strict";
  var type = document.getElementById("type");
  var language = document.getElementById("language");
  if (!type || !language || !language.dataset.languages) return;
  var byType = JSON.parse(language.dataset.languages);

  function offer() {
    var allowed = byType[type.value] || [];
    Array.prototype.forEach.call(language.options, function (option) {
      if (!option.value) return; // "the State's language"
      var offered = allowed.indexOf(option.value) !== -1;
      option.hidden = !offered;
      option.disabled = !offered;
      if (!offered && option.selected) language.value = "";
    });
  }

  type.addEventListener("change", offer);
  offer();
})();
