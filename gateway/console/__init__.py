"""The operator console: server-rendered pages at /ui in the same process, port and store as the API.

Dutch, for the functioneel beheerder: Overzicht, Berichten, Bericht, Conversaties, Quarantaine,
Adresboek, Logboek, and the actions of the role ``operate``. Every page works without JavaScript;
htmx (shipped inside the package ``django-js-lib-htmx``, served from /ui/static) refreshes the
Overzicht and shortens confirmations. Mounted by :func:`gateway.api.app.make_app` as a sub-app.
"""
