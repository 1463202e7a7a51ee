from django.apps import AppConfig
from django.contrib.staticfiles import apps as staticfiles
from django.utils.translation import gettext_lazy as _


class RandersConfig(AppConfig):
    """The project itself: cross-app pages (home, health) and the demo data command."""

    name = "randers"
    verbose_name = _("Aftalestyring")


class StaticFilesConfig(staticfiles.StaticFilesConfig):
    """collectstatic leaves out what no page uses: DKFDS's Sass sources, its unminified and
    other-theme builds, its split font subsets and the font weights no stylesheet names (fewer files
    to hash and compress)."""

    ignore_patterns = [
        *staticfiles.StaticFilesConfig.ignore_patterns,
        "scss",
        "split",
        "otf",
        "IBMPlexSans-*Light*",
        "IBMPlexSans-Thin*",
        "IBMPlexSans-Text*",
        "dkfds.css",
        "dkfds.js",
        "dkfds-borgerdk*",
        "dkfds-virkdk*",
    ]
