# Participants, policies, premiums, claims and the ledger arrive with issues 3 to 5.
