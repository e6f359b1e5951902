"""The main report: named scenarios, their evaluation, the report's sections and writers, figure data.

Holds the scenario grid (``scenarios``), runs of a scenario on generated problems
(``empirical``), everything said about one scenario (``evaluate``), the sections
(``sections``), text/Markdown/JSON rendering (``render``) and the numbers the figures draw
(``figure_data``). May import :mod:`memgd.solvers`, :mod:`memgd.theory` and the sibling
subpackages ``certificates`` and ``properties``; they never import it.
"""
