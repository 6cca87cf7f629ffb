"""Notifications (通知): in-site messages (站内消息) with e-mail and SMS deliveries.

Other apps call ``services.notify`` inside their own transaction and read with ``selectors``.
"""
