"""The electronic certificate library (电子证照库): types, issuance, signing, status, verification.

Other apps use ``services`` (writes), ``selectors`` (reads) and the pure modules
``identifiers``, ``credentials``, ``statuslist`` and ``verification`` (no database).
"""
