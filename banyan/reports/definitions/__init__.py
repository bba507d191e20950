"""The reports of the reports app, one module each; every module here is imported when Django
loads (`ReportsConfig.ready`), so a new report is one new file in this package."""

import importlib
import pkgutil

for _module in pkgutil.iter_modules(__path__):
    importlib.import_module(f"{__name__}.{_module.name}")
