"""Contract Batch Manager's core: everything that runs without Qt."""

from core.contracts.contract import Contract, ContractRejected, LoadRejection
from core.outcome import Outcome

__all__ = ["Contract", "ContractRejected", "LoadRejection", "Outcome"]
__version__ = "0.1.0"
