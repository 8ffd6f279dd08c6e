"""Check-ins in chat: /checkin, its buttons, and organisers' /checkins and /checkinbuddy."""
