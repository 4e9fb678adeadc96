"""Track cleaning: confidence gating, swap repair, outliers, gap filling, zero-lag smoothing."""

from runform.cleaning.clean import DEFAULT_CUTOFF_HZ, clean_track
from runform.cleaning.filters import fill_short_gaps, lowpass
from runform.cleaning.swaps import find_swaps

__all__ = ["DEFAULT_CUTOFF_HZ", "clean_track", "fill_short_gaps", "find_swaps", "lowpass"]
