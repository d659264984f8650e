// A Nuxt Content site with i18n: English pages in content/, each translation in content/<lang>/.
export default defineNuxtConfig({
  modules: ['@nuxt/content', '@nuxtjs/i18n'],
  i18n: { locales: ['en', 'es', 'fr'], defaultLocale: 'en', strategy: 'prefix_except_default' },
})
