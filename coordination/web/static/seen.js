// The action page, once shown, tells the server which letter versions it showed (its form
// data-seen): the next time, the page shows what changed since. Loading a page writes nothing.
document.querySelectorAll("form[data-seen]").forEach(function (form) {
  fetch(form.action, {
    method: "POST", body: new URLSearchParams(new FormData(form)), credentials: "same-origin", keepalive: true,
  }).catch(function () {});
});
