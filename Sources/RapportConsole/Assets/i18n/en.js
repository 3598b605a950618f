// English messages. Keys are shared with zh-CN.js (scripts/browser/check_catalogs.mjs checks
// both have the same keys, placeholders and plural forms).
export default {
  'app.name': 'Rapport',
  'app.skip': 'Skip to main content',
  'app.error': 'Something went wrong. Please try again.',
  'app.unreachable': 'The Rapport server cannot be reached. Check your connection and reload the page.',
  'app.loading': 'Loading…',
  'app.retry': 'Try again',
  'app.none': 'None',
  'app.back': 'Back',

  'nav.label': 'Main',
  'nav.customers': 'Customers',
  'nav.inbox': 'Inbox',

  'lang.label': 'Language',

  'user.menu': 'Account menu for {name}',
  'user.signOut': 'Sign out',
  'role.admin': 'Administrator',
  'role.manager': 'Manager',
  'role.agent': 'Agent',
  'role.viewer': 'Viewer',

  'notFound.title': 'Page not found',
  'notFound.body': 'There is no page at this address.',
  'notFound.home': 'Go to customers',

  'signIn.title': 'Sign in',
  'signIn.intro': 'Sign in to the Rapport console with your work email.',
  'signIn.email': 'Email',
  'signIn.password': 'Password',
  'signIn.submit': 'Sign in',
  'signIn.submitting': 'Signing in…',
  'signIn.invalid': 'The email or password is not correct.',
  'signIn.throttled': {
    one: 'Too many failed attempts. Try again in {count} second.',
    other: 'Too many failed attempts. Try again in {count} seconds.',
  },
  'signIn.tryAgainNow': 'You can try again now.',

  'setup.title': 'Set your password',
  'setup.titleFirstAdmin': 'Create the first administrator',
  'setup.introFirst': 'Welcome to Rapport. The account you create here administers everything: users, channels, routing and settings.',
  'setup.introInvite': 'You have been invited to Rapport as {email}. Choose a password to start.',
  'setup.name': 'Your name',
  'setup.email': 'Work email',
  'setup.password': 'Password',
  'setup.passwordHint': '{min} to {max} bytes. A few unrelated words make a strong password.',
  'setup.confirm': 'Confirm password',
  'setup.submit': 'Save and sign in',
  'setup.expires': 'This link is valid until {time}.',
  'setup.invalidToken': 'This setup link is no longer valid. It may have been used already or have expired. Ask an administrator for a new one.',
  'setup.noToken': 'This page needs the setup link that the server printed or that an administrator sent you.',
  'setup.toSignIn': 'Go to sign-in',

  'validation.required': 'Fill in this field.',
  'validation.email': 'Enter an email address such as ana@example.com.',
  'validation.passwordLength': 'Use {min} to {max} bytes (a Chinese character counts as 3).',
  'validation.passwordMismatch': 'The two passwords do not match.',
  'fieldError.password': 'Use 12 to 72 bytes (a Chinese character counts as 3).',
  'fieldError.email': 'Enter a valid email address that no other user has.',

  'customers.title': 'Customers',
  'customers.searchLabel': 'Search customers',
  'customers.searchHint': 'Name, company, email, phone number or any other identity. Use the arrow keys and Enter to open a result.',
  'customers.results.label': 'Matching customers',
  'customers.results': {
    one: '{count} customer found.',
    other: '{count} customers found.',
  },
  'customers.noResults': 'No customer matches “{q}”.',
  'customers.badQuery': 'This search cannot be run. Try other words.',

  'customer.kind.person': 'Person',
  'customer.kind.organization': 'Organization',
};
