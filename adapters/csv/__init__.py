"""The creditors' bulk CSV (the portal's "CSV Saldoverzoek Antwoord" layout and our Betaalvoorstel
antwoord layout): export received questions, import the filled-in answers as messages.

Layouts and decisions: README section "Portal CSV for creditors".
"""
