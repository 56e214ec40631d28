"""Danish sentences that services show to users, kept in one place for review."""

LOGIN_FAILED = "Forkert brugernavn eller adgangskode."
LOGIN_THROTTLED = "For mange mislykkede loginforsøg. Vent {minutes} minut(ter), og prøv igen."
SESSION_EXPIRED = "Du er blevet logget ud, fordi du ikke har været aktiv et stykke tid."
USERNAME_TAKEN = "Brugernavnet er allerede i brug."
USERNAME_FORMAT = (
    "Brugernavnet skal være 2–64 tegn og må kun indeholde små bogstaver a–z, tal, punktum, "
    "bindestreg og understreg."
)
DISPLAY_NAME_REQUIRED = "Skriv personens fulde navn."
ROLE_UNKNOWN = "Vælg en gyldig rolle."
INSTITUTION_REQUIRED = "Medarbejdere og ledere skal høre til en institution."
DISTRICT_REQUIRED = "Socialrådgivere skal høre til et distrikt."
INSTITUTION_UNKNOWN = "Institutionen findes ikke eller er ikke aktiv."
DISTRICT_UNKNOWN = "Distriktet findes ikke."
CANNOT_DEACTIVATE_SELF = "Du kan ikke deaktivere din egen bruger."
NAME_REQUIRED = "Skriv et navn."
NAME_TAKEN = "Navnet er allerede i brug."
KIND_UNKNOWN = "Vælg dagtilbud eller skole."

PASSWORD_CURRENT_WRONG = "Den nuværende adgangskode er forkert."  # noqa: S105 - a message
PASSWORD_NOT_NEW = "Vælg en ny adgangskode, ikke den, du har nu."  # noqa: S105 - a message
PASSWORD_REPEAT_DIFFERS = "De to nye adgangskoder er ikke ens."  # noqa: S105 - a message
PASSWORD_CHANGED = "Din adgangskode er skiftet. Er du logget ind andre steder, er du logget ud der."  # noqa: S105

# Focus points and the parents at the finish step (issue 13).
FOCUS_POINTS_REQUIRED = (
    "Skriv mindst ét fokuspunkt: hvad I voksne vil gøre, hvem der gør det, og hvornår I følger "
    "op. Det skal udfyldes ved niveau 2 eller højere."
)
FOCUS_POINT_TEXT = "Fokuspunkt {n}: skriv hvad I voksne vil gøre."
FOCUS_POINT_DUE = "Fokuspunkt {n}: vælg en dato for opfølgningen."
FOCUS_POINT_PAST = "Fokuspunkt {n}: opfølgningsdatoen ligger i fortiden."
FOCUS_POINT_RESPONSIBLE = "Fokuspunkt {n}: vælg en medarbejder eller leder fra institutionen."
FOCUS_POINTS_TOO_MANY = "Højst {limit} fokuspunkter."
PARENTS_ABUSE_RULE = (
    "Ved mistanke om vold eller seksuelle overgreb må forældrene ikke orienteres, før kommunen "
    "er kontaktet. Kommunen beslutter, hvornår forældrene får besked."
)
PARENTS_DATE = (
    "Skriv hvornår forældrene blev orienteret eller inddraget (ikke en dato i fremtiden)."
)
PARENTS_HOW = "Skriv hvordan forældrene blev orienteret eller inddraget."
