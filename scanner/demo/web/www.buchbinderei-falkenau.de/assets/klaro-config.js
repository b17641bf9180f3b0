/* SYNTHETIC fixture site: Klaro configuration (cookiescan untuned fixture web). */
var klaroConfig = {
  version: 1, elementID: "klaro", storageMethod: "cookie", cookieName: "klaro", cookieExpiresAfterDays: 365,
  default: false, mustConsent: false, acceptAll: true, hideDeclineAll: false, lang: "de",
  privacyPolicy: "/impressum/",
  translations: {de: {consentNotice: {description: "Wir nutzen Cookies für die Reichweitenmessung. " +
    "Sie können zustimmen, ablehnen oder einzelne Dienste wählen."}, purposes: {analytics: "Statistik"}}},
  services: [
    {name: "google-analytics", title: "Google Analytics", purposes: ["analytics"], cookies: [/^_ga/]}
  ]
};
