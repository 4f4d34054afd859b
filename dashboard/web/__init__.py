"""The web layer: the Dash application and its Flask server. The app factory (server), what every
request meets first (guard, site), serving and delivery of files, cached answers
(responses), sign-in (login), the page frame and cards (components) and the pages."""
