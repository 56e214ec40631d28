"""The start page of each role: what the domains have for the logged-in user, on one page.

It composes the domains (the institution from accounts, the recent concerns from concerns), so it
lives above them and outside ``app.web``, which imports no domain but accounts.
"""
