/* SYNTHETIC fixture site: account script. PLANTED undeclared_cookie: the wish list the policy never mentions. */
document.cookie = "wunschliste=" + Math.random().toString(36).slice(2) + "; max-age=2592000; path=/; Secure; SameSite=Lax";
