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

# Sign-in through the municipality's identity provider (OIDC)
OIDC_NO_ACCESS = (
    "Du har ikke adgang til Trivselsguiden. Kommunens login giver dig ingen rolle her, eller "
    "din enhed er ikke knyttet til en institution eller et distrikt. Kontakt kommunens "
    "administrator."
)
OIDC_FAILED = "Login via kommunens login mislykkedes. Prøv at logge ind igen."
OIDC_UNAVAILABLE = "Kommunens login kan ikke nås lige nu. Prøv igen om lidt."
OIDC_DEACTIVATED = "Din bruger er deaktiveret i Trivselsguiden. Kontakt kommunens administrator."
PASSWORD_LOGIN_OFF = "Login med adgangskode er slået fra. Brug kommunens login."  # noqa: S105
NO_LOCAL_PASSWORD = (
    "Brugeren logger ind via kommunens login og har ingen adgangskode i Trivselsguiden."  # noqa: S105
)
EXTERNAL_ID_FORMAT = "Et eksternt id må højst være 100 tegn uden mellemrum."
EXTERNAL_ID_TAKEN = "Det eksterne id er allerede brugt af en anden enhed."
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
