"""Drawing only: the figure style, the interactive-diagram base class and every diagram.

Figures draw what :mod:`iliopsoas.models` computes; they never compute biomechanics."""
