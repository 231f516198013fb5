"""The EXAM of hard drawn digits (issue 8, "read every hand"): its own glyphs and pen renderer, sharing nothing with digitpad.augment or digitpad.synth; nothing is trained or tuned on it."""
