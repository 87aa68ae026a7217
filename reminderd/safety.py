"""When to stop, and when to see a doctor: shown by `reminderd safety` and in the README."""

TEXT = """\
Stop any exercise if the pain gets worse. Move gently, and only as far as is comfortable.

See a doctor:
- if your neck spasms keep coming back, or never quite go away;
- if the pain is severe, if a spasm pulls your head to one side, or if it comes with
  dizziness, balance trouble or blurred vision;
- at once if neck pain or spasms come with chills, a sudden high fever, bruise-like marks
  on the skin, or a headache that will not go away;
- if the pain or spasm started after an accident or a fall, to rule out a worse injury.

If you have serious symptoms, get emergency care now.

reminderd reminds you to move; it is not medical advice."""

SOURCES = (
    "003_8ca7b13792458e4d.txt: constant spasms need a doctor",
    "001_ca2fbe79079b621f.txt: severe pain, head pulled to one side, dizziness, vision",
    "004_8e9ddecb5037ed4d.txt: chills, sudden high fever, bruise-like marks, chronic headache, "
    "a spasm after an accident",
    "000_91de0cbf5c0d124c.txt: serious symptoms need emergency treatment",
)
