// The pay form: one submit per click (the server is idempotent anyway), and in Stripe mode
// the card is tokenised by Stripe.js in the browser so the number never reaches our server.
(function () {
  var form = document.querySelector(".pay-form");
  if (!form) return;
  var button = form.querySelector("[data-pay-button]");
  var key = form.getAttribute("data-stripe-key");
  var stripe = null, card = null;
  if (key && window.Stripe) {
    stripe = window.Stripe(key);
    card = stripe.elements().create("card");
    card.mount("#card-element");
  }
  form.addEventListener("submit", function (event) {
    if (form.getAttribute("data-submitting")) { event.preventDefault(); return; }
    form.setAttribute("data-submitting", "1");
    button.disabled = true;
    button.setAttribute("aria-busy", "true");
    if (!stripe) return;
    event.preventDefault();
    stripe.createPaymentMethod({ type: "card", card: card }).then(function (result) {
      if (result.error) {
        form.removeAttribute("data-submitting");
        button.disabled = false;
        button.removeAttribute("aria-busy");
        window.alert(result.error.message);
        return;
      }
      form.querySelector("input[name=payment_method]").value = result.paymentMethod.id;
      form.submit();
    });
  });
})();
