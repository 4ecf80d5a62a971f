"""The crisis kit: the organised preparation that exists before anything happens (DOMAIN.md, *Prepare*).

An inventory of every social account — its logins, who holds which rights, which third-party apps are
linked — with individual access rather than shared passwords, so an access is revoked the day a temp or an
intern leaves; a roster: who is in the crisis cell, with backups, and how to reach each of them; playbooks
per attack type, templates for the first messages, and drills on a schedule.

`schema` is what a kit must say; `files` reads the YAML people write and says every problem at FILE:LINE;
`loading` stores a kit as a new version and reads the one in force; `cover` reads the roster against a
playbook (who can hold each role, what the kit lacks); `inventory` and `inventory_files` keep the accounts
and their access as rows, in and out of CSV and YAML.
"""

from flows.kit.cover import Gap, RoleCover, find_gaps, next_in_roster, required_cover
from flows.kit.files import MAX_KIT_BYTES, KitError, KitProblem, read_yaml_as
from flows.kit.inventory import (
    InventoryChange,
    ReferenceProblem,
    apply_inventory,
    inventory_accounts,
    inventory_grants,
    reference_problems,
)
from flows.kit.inventory_files import (
    accounts_for_export,
    as_csv,
    as_yaml,
    grants_for_export,
    read_accounts_file,
    read_grants_file,
)
from flows.kit.loading import (
    EXAMPLE_KITS_DIR,
    NoKit,
    current_kit,
    example_kit_names,
    example_kit_path,
    file_sha256,
    load_kit,
    read_kit,
    require_kit,
    require_kit_version,
    version_opened_under,
)
from flows.kit.schema import Kit, Playbook

__all__ = [
    "EXAMPLE_KITS_DIR",
    "MAX_KIT_BYTES",
    "Gap",
    "InventoryChange",
    "Kit",
    "KitError",
    "KitProblem",
    "NoKit",
    "Playbook",
    "ReferenceProblem",
    "RoleCover",
    "accounts_for_export",
    "apply_inventory",
    "as_csv",
    "as_yaml",
    "current_kit",
    "example_kit_names",
    "example_kit_path",
    "file_sha256",
    "find_gaps",
    "grants_for_export",
    "inventory_accounts",
    "inventory_grants",
    "load_kit",
    "next_in_roster",
    "read_accounts_file",
    "read_grants_file",
    "read_kit",
    "read_yaml_as",
    "reference_problems",
    "require_kit",
    "require_kit_version",
    "required_cover",
    "version_opened_under",
]
