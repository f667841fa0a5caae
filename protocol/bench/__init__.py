"""`zktrade bench`: the circom benchmark circuit, its cached artefacts, and the timings."""
