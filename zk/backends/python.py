"""The reference backend's MSM and NTT with the pure-Python pairing (pairing_python.py).

For processes that check a proof or two and exit (`zktrade verify`): nothing here imports numba
or numpy, and a Groth16 verification costs tens of milliseconds instead of the fast backend's
start-up (importing numba and loading its compiled kernels) or py_ecc's ~0.8 s pairing.
"""

from . import pairing_python as pairing  # noqa: F401 (zk.curve reaches it as get_backend().pairing)
from .reference import (  # noqa: F401 (the backend interface)
    batch_mul_g1,
    batch_mul_g2,
    fixed_base_g1,
    fixed_base_g2,
    msm_g1,
    msm_g2,
    ntt,
    prepare_g1,
    prepare_g2,
)

name = "python"
