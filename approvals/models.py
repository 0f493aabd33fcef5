# Approval policies, decisions and amendments arrive with the approver-workflow issue.
