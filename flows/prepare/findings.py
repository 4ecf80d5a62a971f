"""What the readiness audit can find, and how each finding is said and fixed, in French and English.

A finding is a code and its values; its words live here, once, so the command line, the message to the
kit's owner and the crisis cell's brief all say the same thing. Values come from the kit and the store:
they are data (`str.format` arguments), never a format of their own.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field


class FindingSeverity(enum.StrEnum):
    CRITICAL = "critical"  # an open door today: fix before anything else
    WARNING = "warning"  # will hurt in a crisis
    INFO = "info"  # worth tidying

    @property
    def rank(self) -> int:
        return list(FindingSeverity).index(self)


class Category(enum.StrEnum):
    ACCESS = "access"
    ACCOUNTS = "accounts"
    ROSTER = "roster"
    DRILLS = "drills"
    TEMPLATES = "templates"


Localized = dict[str, str]  # a value said differently per locale (e.g. a duty's name)


@dataclass(frozen=True)
class Finding:
    code: str
    subject: str  # what it is about, as a reader names it: "instagram @hoteldeslilas", "legal", "alert (en)"
    params: dict[str, str | Localized] = field(default_factory=dict)
    account: str | None = None  # the account's key, when it is about one

    @property
    def severity(self) -> FindingSeverity:
        return WORDING[self.code][0]

    @property
    def category(self) -> Category:
        return WORDING[self.code][1]

    def problem(self, locale: str) -> str:
        return self._say(locale, 0)

    def fix(self, locale: str) -> str:
        return self._say(locale, 1)

    def as_context(self, locale: str) -> dict[str, str]:
        """Plain values for a message template, said in `locale`."""
        return {
            "code": self.code,
            "severity": self.severity.value,
            "category": self.category.value,
            "subject": self.subject,
            "problem": self.problem(locale),
            "fix": self.fix(locale),
        }

    def _say(self, locale: str, part: int) -> str:
        language = locale if locale in ("fr", "en") else "en"
        values = {k: v.get(language, v["en"]) if isinstance(v, dict) else v for k, v in self.params.items()}
        return WORDING[self.code][2][language][part].format(**values)


# fmt: off
CRIT, WARN, INFO = FindingSeverity.CRITICAL, FindingSeverity.WARNING, FindingSeverity.INFO
# code: (severity, category, {locale: (problem, fix)})
WORDING: dict[str, tuple[FindingSeverity, Category, dict[str, tuple[str, str]]]] = {
    "no_accounts": (WARN, Category.ACCOUNTS, {
        "en": ("The inventory lists no social account: nobody can say who holds which rights.",
               "List every account in the kit's accounts section, or import them: "
               "cellule kit accounts --import accounts.csv"),
        "fr": ("L'inventaire ne contient aucun compte : personne ne peut dire qui détient quels droits.",
               "Listez chaque compte dans la section accounts du kit, ou importez-les : "
               "cellule kit accounts --import comptes.csv"),
    }),
    "two_factor_off": (CRIT, Category.ACCOUNTS, {
        "en": ("{account}: two-factor authentication is off; a stolen password is enough to take it.",
               "Turn two-factor on (an authenticator app rather than SMS), then record it in the kit: "
               "two_factor: true, two_factor_holder: KEY."),
        "fr": ("{account} : la double authentification est désactivée ; un mot de passe volé suffit.",
               "Activez la double authentification (une application plutôt qu'un SMS), puis notez-le "
               "dans le kit : two_factor: true, two_factor_holder: CLÉ."),
    }),
    "two_factor_holder_missing": (WARN, Category.ACCOUNTS, {
        "en": ("{account}: two-factor is on but nobody is recorded as holding it.",
               "Record who has the phone or the key: two_factor_holder: KEY."),
        "fr": ("{account} : la double authentification est active mais personne n'est noté comme la "
               "détenant.",
               "Notez qui a le téléphone ou la clé : two_factor_holder: CLÉ."),
    }),
    "account_person_gone": (CRIT, Category.ACCOUNTS, {
        "en": ("{account}: the {duty} is {person}, who has left.",
               "Hand the {duty} over to someone still here, on {platform} first, then in the kit."),
        "fr": ("{account} : {duty} est {person}, qui a quitté l'équipe.",
               "Transférez ce rôle ({duty}) à quelqu'un de présent, d'abord sur {platform}, puis dans "
               "le kit."),
    }),
    "recovery_owner_missing": (WARN, Category.ACCOUNTS, {
        "en": ("{account}: nobody is recorded as owning the recovery email or phone.",
               "Record recovery_owner (and recovery_contact): it is the way back in after a takeover."),
        "fr": ("{account} : personne n'est noté comme détenteur de l'e-mail ou du téléphone de "
               "récupération.",
               "Renseignez recovery_owner (et recovery_contact) : c'est le chemin du retour après un "
               "piratage."),
    }),
    "credentials_location_unknown": (WARN, Category.ACCOUNTS, {
        "en": ("{account}: the kit does not say where its credentials live.",
               "Name the place (credentials_in: the password manager's vault or the management tool), "
               "never the password itself."),
        "fr": ("{account} : le kit ne dit pas où sont rangés ses identifiants.",
               "Indiquez l'endroit (credentials_in : le coffre du gestionnaire de mots de passe ou l'outil "
               "de gestion), jamais le mot de passe lui-même."),
    }),
    "rotation_unknown": (WARN, Category.ACCOUNTS, {
        "en": ("{account}: nobody recorded when its password was last changed.",
               "Change it now if in doubt, and record the date: credentials_rotated: {today}."),
        "fr": ("{account} : personne n'a noté quand son mot de passe a été changé.",
               "Changez-le maintenant dans le doute, et notez la date : credentials_rotated: {today}."),
    }),
    "credentials_stale": (WARN, Category.ACCOUNTS, {
        "en": ("{account}: password last changed on {since}; the policy is every {days} days.",
               "Change it, then record the date: credentials_rotated: {today}."),
        "fr": ("{account} : mot de passe changé pour la dernière fois le {since} ; la règle est tous les "
               "{days} jours.",
               "Changez-le, puis notez la date : credentials_rotated: {today}."),
    }),
    "shared_login": (WARN, Category.ACCOUNTS, {
        "en": ("{account}: a shared login is in use{who}; nobody can be cut off alone.",
               "Give each person their own access through a management tool (e.g. Meta Business Suite, "
               "Agorapulse), then change the shared password."),
        "fr": ("{account} : un identifiant partagé est utilisé{who} ; impossible de couper l'accès d'une "
               "seule personne.",
               "Donnez à chacun son propre accès via un outil de gestion (par ex. Meta Business Suite, "
               "Agorapulse), puis changez le mot de passe partagé."),
    }),
    "handle_breaks_rules": (WARN, Category.ACCOUNTS, {
        "en": ("{account}: this handle breaks {platform}'s rules ({rule}).",
               "Check the handle on {platform}: it is probably mistyped in the kit."),
        "fr": ("{account} : ce nom d'utilisateur enfreint les règles de {platform} ({rule}).",
               "Vérifiez le nom sur {platform} : il est sans doute mal recopié dans le kit."),
    }),
    "handle_differs": (INFO, Category.ACCOUNTS, {
        "en": ("{account}: the name differs from @{usual}, used on {elsewhere}.",
               "Use the same name everywhere you can (claim @{usual} on {platform} if it is free), so "
               "people find the real account and look-alikes stand out."),
        "fr": ("{account} : le nom diffère de @{usual}, utilisé sur {elsewhere}.",
               "Utilisez le même nom partout où c'est possible (réservez @{usual} sur {platform} s'il est "
               "libre) : le public trouve le vrai compte et les imitations se voient."),
    }),
    "departed_holds_access": (CRIT, Category.ACCESS, {
        "en": ("{person} has left but still has {level} access to {account} (grant {grant}).",
               "Revoke it on {platform} now, then record it: "
               "cellule kit offboard {person_key} --mark-revoked {grant} --by YOUR_KEY"),
        "fr": ("{person} a quitté l'équipe mais a toujours un accès {level} à {account} (accès n° {grant}).",
               "Retirez cet accès sur {platform} maintenant, puis enregistrez-le : "
               "cellule kit offboard {person_key} --mark-revoked {grant} --by VOTRE_CLÉ"),
    }),
    "access_unlisted": (WARN, Category.ACCESS, {
        "en": ("{person}'s {level} access to {account} (grant {grant}) left the inventory, but nobody "
               "recorded its revocation.",
               "If it was revoked, record it: cellule kit offboard {person_key} --mark-revoked {grant} "
               "--by YOUR_KEY; if not, put it back in the inventory."),
        "fr": ("L'accès {level} de {person} à {account} (accès n° {grant}) a disparu de l'inventaire, "
               "mais personne n'a enregistré son retrait.",
               "S'il a été retiré, enregistrez-le : cellule kit offboard {person_key} --mark-revoked "
               "{grant} --by VOTRE_CLÉ ; sinon, remettez-le dans l'inventaire."),
    }),
    "role_unreachable": (CRIT, Category.ROSTER, {
        "en": ("Nobody who can take the role {role} can be reached (called by: {playbooks}).",
               "Give the people of roster.{role} an email address or a Slack id, or add someone who "
               "has one."),
        "fr": ("Personne ne peut être joint pour le rôle {role} (appelé par : {playbooks}).",
               "Donnez aux personnes de roster.{role} un e-mail ou un identifiant Slack, ou ajoutez "
               "quelqu'un qui en a un."),
    }),
    "no_reachable_backup": (WARN, Category.ROSTER, {
        "en": ("The role {role} has no backup who can be reached (called by: {playbooks}).",
               "Add a second person to roster.{role}, with an email address or a Slack id."),
        "fr": ("Le rôle {role} n'a pas de suppléant joignable (appelé par : {playbooks}).",
               "Ajoutez une deuxième personne à roster.{role}, avec un e-mail ou un identifiant Slack."),
    }),
    "person_unreachable": (WARN, Category.ROSTER, {
        "en": ("{person} is in the roster ({roles}) but Cellule has no way to reach them.",
               "Add their email address or Slack id to the kit (people: {person_key})."),
        "fr": ("{person} figure dans l'annuaire ({roles}) mais Cellule n'a aucun moyen de le ou la joindre.",
               "Ajoutez son e-mail ou son identifiant Slack dans le kit (people : {person_key})."),
    }),
    "no_channel_configured": (WARN, Category.ROSTER, {
        "en": ("Cellule can only print alerts on its own console: neither Slack nor email is set up.",
               "Set CELLULE_SLACK_BOT_TOKEN, or CELLULE_SMTP_HOST and the other CELLULE_SMTP_* settings."),
        "fr": ("Cellule ne peut qu'afficher les alertes sur sa propre console : ni Slack ni l'e-mail ne "
               "sont configurés.",
               "Renseignez CELLULE_SLACK_BOT_TOKEN, ou CELLULE_SMTP_HOST et les autres réglages "
               "CELLULE_SMTP_*."),
    }),
    "template_missing": (WARN, Category.TEMPLATES, {
        "en": ("The message \"{template}\" (used by: {playbooks}) does not exist in {language}, which "
               "{readers} read.",
               "Add notifications/templates/{locale}/{template}.subject.j2, .txt.j2 and .slack.j2, or "
               "use a message that exists."),
        "fr": ("Le message « {template} » (utilisé par : {playbooks}) n'existe pas en {language}, langue "
               "de {readers}.",
               "Ajoutez notifications/templates/{locale}/{template}.subject.j2, .txt.j2 et .slack.j2, ou "
               "utilisez un message existant."),
    }),
    "never_drilled": (WARN, Category.DRILLS, {
        "en": ("The {playbook} playbook has never been rehearsed.",
               "Rehearse it with the cell, like a fire drill: cellule drill start SCENARIO --live."),
        "fr": ("Le playbook {playbook} n'a jamais été répété.",
               "Répétez-le avec la cellule, comme un exercice d'évacuation : cellule drill start SCÉNARIO "
               "--live."),
    }),
    "drill_targets_failing": (WARN, Category.DRILLS, {
        "en": ("The latest drill of the {playbook} playbook ({scenario}, {since}) missed: {targets}.",
               "See where it breaks with cellule drill run {scenario} --runs 20, then fix the kit "
               "(a backup for the role, more approving roles, a shorter time-out)."),
        "fr": ("Le dernier exercice du playbook {playbook} ({scenario}, le {since}) a manqué : {targets}.",
               "Voyez où cela casse avec cellule drill run {scenario} --runs 20, puis corrigez le kit "
               "(un suppléant pour le rôle, plus de rôles approbateurs, un délai plus court)."),
    }),
    "drill_overdue": (WARN, Category.DRILLS, {
        "en": ("The {playbook} playbook was last rehearsed on {since}; it should be every {days} days.",
               "Schedule a drill of it with the cell."),
        "fr": ("Le playbook {playbook} a été répété pour la dernière fois le {since} ; il devrait l'être "
               "tous les {days} jours.",
               "Planifiez un exercice avec la cellule."),
    }),
    "statement_unapproved": (WARN, Category.TEMPLATES, {
        "en": ("The library statement {entry} ({language}) is not approved: in a crisis it is not offered, "
               "and the first public word waits for the full quorum.",
               "Have it approved now, in peacetime: cellule statements approve {entry} --lang {locale} "
               "--as KEY (the same quorum as a crisis draft, never its author)."),
        "fr": ("La déclaration {entry} ({language}) de la bibliothèque n'est pas validée : en crise elle "
               "n'est pas proposée, et la première prise de parole attend la validation complète.",
               "Faites-la valider maintenant, à froid : cellule statements approve {entry} --lang {locale} "
               "--as CLÉ (la même règle qu'un brouillon de crise, jamais par son auteur)."),
    }),
    "statement_approval_expired": (WARN, Category.TEMPLATES, {
        "en": ("The approval of the library statement {entry} ({language}) lapsed on {since}: it is no "
               "longer offered in a crisis.",
               "Reread it (is it still true?), edit it if needed, then approve it again: "
               "cellule statements approve {entry} --lang {locale} --as KEY"),
        "fr": ("La validation de la déclaration {entry} ({language}) de la bibliothèque a expiré le "
               "{since} : elle n'est plus proposée en crise.",
               "Relisez-la (est-elle toujours vraie ?), modifiez-la si besoin, puis validez-la de nouveau : "
               "cellule statements approve {entry} --lang {locale} --as CLÉ"),
    }),
}
# fmt: on

DUTIES: dict[str, Localized] = {
    "owner": {"en": "owner", "fr": "responsable du compte"},
    "two_factor_holder": {"en": "two-factor holder", "fr": "détenteur de la double authentification"},
    "recovery_owner": {"en": "recovery owner", "fr": "détenteur de la récupération"},
}
LEVELS: dict[str, Localized] = {
    "admin": {"en": "admin", "fr": "administrateur"},
    "editor": {"en": "editor", "fr": "éditeur"},
    "moderator": {"en": "moderator", "fr": "modérateur"},
    "analyst": {"en": "analyst", "fr": "analyste"},
}
LANGUAGES: dict[str, Localized] = {
    "fr": {"en": "French", "fr": "français"},
    "en": {"en": "English", "fr": "anglais"},
}
