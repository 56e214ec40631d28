"""Groups (stue, gruppe, klasse) and well-being rounds (trivselsrunder): who is to be assessed
in a period, how far the round has come, and the overview that never singles out a child."""
